package tplink

import (
	"context"
	"fmt"
	"time"
)

const pathCreateTempCredential = "/tums/open/credentialManager/v1/createTempApplicationApiCredential"

// tempCredential is a cached temporary AK/SK (§1.4.1.1). renewAt is on the
// box's clock: the lifetime the cloud granted (expireTime - createTime) is
// laid onto the local time of the answer, so a skewed clock does not make the
// cache think a fresh pair is already stale.
type tempCredential struct {
	ak      string
	sk      Secret
	renewAt time.Time
}

// TempCredential is a temporary AK/SK as the cloud hands it out.
type TempCredential struct {
	AccessKey  string
	SecretKey  Secret
	CreateTime time.Time
	ExpireTime time.Time
}

// CreateTempCredential asks for a temporary AK/SK valid for ttl (1 s to 24 h;
// 0 leaves the cloud's default of 1800 s). It always signs with the
// long-term pair: the cloud refuses a temporary pair here (-82401).
func (c *Client) CreateTempCredential(ctx context.Context, ttl time.Duration) (TempCredential, error) {
	const op = "createTempApplicationApiCredential"
	if ttl != 0 && (ttl < time.Second || ttl > maxTempTTL) {
		return TempCredential{}, fmt.Errorf("tplink: %s: ttl %s out of range (accepted: 1s to 24h)", op, ttl)
	}
	var body any
	if ttl != 0 {
		body = struct {
			ExpireTime int64 `json:"expireTime"`
		}{int64(ttl / time.Second)}
	}
	raw, _, err := c.send(ctx, op, c.endpoint(pathCreateTempCredential), marshalOrNil(body), c.longTerm())
	if err != nil {
		return TempCredential{}, err
	}
	var res struct {
		TempAk     string  `json:"tempAk"`
		TempSk     string  `json:"tempSk"`
		CreateTime flexInt `json:"createTime"`
		ExpireTime flexInt `json:"expireTime"`
	}
	if err := decodeResult(op, raw, &res); err != nil {
		return TempCredential{}, err
	}
	if err := checkHeaderField("temporary access key", res.TempAk, 0); err != nil {
		return TempCredential{}, fmt.Errorf("tplink: %s: answer: %w", op, err)
	}
	if res.TempSk == "" || !res.ExpireTime.set || res.ExpireTime.v <= res.CreateTime.v {
		return TempCredential{}, fmt.Errorf("tplink: %s: answer lacks tempSk or a valid createTime/expireTime", op)
	}
	return TempCredential{
		AccessKey:  res.TempAk,
		SecretKey:  Secret(res.TempSk),
		CreateTime: time.Unix(int64(res.CreateTime.v), 0),
		ExpireTime: time.Unix(int64(res.ExpireTime.v), 0),
	}, nil
}

func (c *Client) longTerm() credential {
	return credential{ak: c.cfg.AccessKey, sk: c.cfg.SecretKey}
}

// credential returns the pair to sign the next call with. With temporary
// credentials it returns the cached pair, fetching a new one when none is
// cached or the cached one is due; one fetch runs at a time and the lock is
// never held while on the network.
func (c *Client) credential(ctx context.Context) (credential, error) {
	if !c.cfg.UseTempCredentials {
		return c.longTerm(), nil
	}
	for {
		c.mu.Lock()
		if t := c.temp; t != nil && c.cfg.Now().Before(t.renewAt) {
			c.mu.Unlock()
			return credential{ak: t.ak, sk: t.sk, temp: true}, nil
		}
		if wait := c.fetching; wait != nil {
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return credential{}, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.fetching = done
		c.mu.Unlock()

		started := c.cfg.Now()
		tc, err := c.CreateTempCredential(ctx, c.cfg.TempTTL)

		c.mu.Lock()
		c.fetching = nil
		close(done)
		if err != nil {
			c.mu.Unlock()
			return credential{}, fmt.Errorf("temporary AK/SK: %w", err)
		}
		life := tc.ExpireTime.Sub(tc.CreateTime)
		c.temp = &tempCredential{ak: tc.AccessKey, sk: tc.SecretKey, renewAt: started.Add(life - renewMargin(life))}
		t := c.temp
		c.mu.Unlock()
		return credential{ak: t.ak, sk: t.sk, temp: true}, nil
	}
}

// renewMargin is how long before expiry a temporary pair is replaced: a
// tenth of its life, at most 5 minutes, so a call signed just before the
// renewal still lands while the pair is valid.
func renewMargin(life time.Duration) time.Duration {
	m := life / 10
	if m > 5*time.Minute {
		m = 5 * time.Minute
	}
	return m
}

// dropTemp forgets the cached pair if it is still ak.
func (c *Client) dropTemp(ak string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.temp != nil && c.temp.ak == ak {
		c.temp = nil
	}
}
