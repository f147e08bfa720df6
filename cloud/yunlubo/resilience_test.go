package yunlubo_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
)

// seedMany adds n cameras on one gather and courses on the first camera
// (7 weekdays × hours), returning the first camera's id and course count.
func seedMany(f *fixture, cameras int) (yunlubo.Int, int) {
	g := f.srv.AddGather(yunlubo.Gather{MacAddr: "00:11:22:33:44:55"})
	var first yunlubo.Int
	for i := range cameras {
		id := f.srv.AddCamera(yunlubo.Camera{CameraName: fmt.Sprintf("cam%d", i), GatherID: g})
		if first == 0 {
			first = id
		}
	}
	courses := 0
	for week := range 7 {
		for hour := range 18 {
			f.srv.AddCourse(yunlubo.Course{CameraID: first, SubjectID: 1, TeacherID: 1, WeekID: yunlubo.Int(week),
				StartTime: yunlubo.FormatClock(hour * 3600), ElapseSec: 1800})
			courses++
		}
	}
	return first, courses
}

func TestWalkMoreThanTenPages(t *testing.T) {
	f := newFixture(t, nil)
	cam, nCourses := seedMany(f, 137)
	ctx := context.Background()
	cams, _, err := f.client.AllCameras(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 137 || f.srv.Requests("list_camera") != 14 {
		t.Fatalf("%d cameras in %d pages, want 137 in 14", len(cams), f.srv.Requests("list_camera"))
	}
	seen := map[yunlubo.Int]bool{}
	for _, c := range cams {
		seen[c.CameraID] = true
	}
	if len(seen) != 137 {
		t.Fatalf("%d distinct cameras", len(seen))
	}
	courses, err := f.client.AllCourses(ctx, cam)
	if err != nil {
		t.Fatal(err)
	}
	if len(courses) != nCourses || f.srv.Requests("list_course") != (nCourses+9)/10 {
		t.Fatalf("%d courses in %d pages, want %d", len(courses), f.srv.Requests("list_course"), nCourses)
	}
}

// The clock passes the token's expiry in the middle of a walk: the client
// sees it on its own clock and renews before the next page.
func TestTokenExpiresByClockMidWalk(t *testing.T) {
	f := newFixture(t, nil)
	seedMany(f, 60)
	var once sync.Once
	f.srv.OnRequest(func(ep string, p url.Values) {
		if ep == "list_camera" && p.Get("cur") == "3" {
			once.Do(func() { f.srv.Advance(7201 * time.Second) })
		}
	})
	cams, _, err := f.client.AllCameras(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(cams) != 60 {
		t.Fatalf("%d cameras", len(cams))
	}
	// Page 3 was answered 1007 (the server's clock moved under it), then
	// renewed and retried; page 4 onwards used the new token.
	if n := f.srv.TokensIssued(); n != 2 {
		t.Fatalf("%d tokens issued, want 2", n)
	}
	if n := f.srv.Requests("list_camera"); n != 7 {
		t.Fatalf("list_camera called %d times, want 6 pages + 1 retry", n)
	}
}

// The server drops the tokens early (1007 / 1006) in the middle of a walk.
func TestTokenRefusedMidWalk(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop func(f *fixture)
	}{
		{"expired 1007", func(f *fixture) { f.srv.ExpireTokens() }},
		{"unparsable 1006", func(f *fixture) { f.srv.ForgetTokens() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, nil)
			cam, n := seedMany(f, 1)
			var once sync.Once
			f.srv.OnRequest(func(ep string, p url.Values) {
				if ep == "list_course" && p.Get("cur") == "5" {
					once.Do(func() { tc.drop(f) })
				}
			})
			courses, err := f.client.AllCourses(context.Background(), cam)
			if err != nil {
				t.Fatal(err)
			}
			if len(courses) != n || f.srv.TokensIssued() != 2 {
				t.Fatalf("%d courses with %d tokens", len(courses), f.srv.TokensIssued())
			}
			if f.srv.Requests("list_course") != (n+9)/10+1 {
				t.Fatalf("list_course called %d times", f.srv.Requests("list_course"))
			}
		})
	}
}

func TestTokenRefusalRenewsOnceOnly(t *testing.T) {
	for _, code := range []int{yunlubo.CodeTokenInvalid, yunlubo.CodeTokenExpired} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFixture(t, nil)
			f.srv.FailCode("list_school", 5, code)
			_, err := f.client.AllSchools(context.Background())
			wantCode(t, err, code)
			if f.srv.TokensIssued() != 2 || f.srv.Requests("list_school") != 2 {
				t.Fatalf("tokens %d, calls %d: want one renewal and one retry",
					f.srv.TokensIssued(), f.srv.Requests("list_school"))
			}
		})
	}
}

func TestOtherCodesNotRetried(t *testing.T) {
	f := newFixture(t, nil)
	f.srv.FailCode("list_school", 1, yunlubo.CodeNoToken)
	_, err := f.client.AllSchools(context.Background())
	wantCode(t, err, yunlubo.CodeNoToken)
	if f.srv.Requests("list_school") != 1 || f.srv.TokensIssued() != 1 {
		t.Fatal("1004 on a call must not renew or retry")
	}
}

func TestMalformedJSON(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	if err := f.client.RenewToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.Garbage(1)
	_, _, err := f.client.AllCameras(context.Background())
	if err == nil || !strings.Contains(err.Error(), "list_camera") || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("want a malformed-answer error naming list_camera, got %v", err)
	}
	if f.srv.Requests("list_camera") != 1 {
		t.Fatal("a malformed answer was retried")
	}
}

func TestRetry5xxThenSuccess(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	if err := f.client.RenewToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.FailHTTP(2, http.StatusInternalServerError)
	gs, err := f.client.AllGathers(context.Background())
	if err != nil || len(gs) != 1 {
		t.Fatalf("%v %v", gs, err)
	}
	if f.srv.Requests("list_gather") != 3 {
		t.Fatalf("list_gather called %d times, want 3", f.srv.Requests("list_gather"))
	}
	if !strings.Contains(f.logs.String(), "retrying") {
		t.Fatal("retries not logged")
	}
}

func TestRetryGivesUp(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.client.RenewToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.FailHTTP(10, http.StatusBadGateway)
	_, err := f.client.AllGathers(context.Background())
	var he *yunlubo.HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusBadGateway {
		t.Fatalf("want HTTP 502, got %v", err)
	}
	if f.srv.Requests("list_gather") != 1+yunlubo.DefaultRetries {
		t.Fatalf("list_gather called %d times", f.srv.Requests("list_gather"))
	}
}

func Test4xxNotRetried(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.client.RenewToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.srv.FailHTTP(1, http.StatusNotFound)
	_, err := f.client.AllGathers(context.Background())
	var he *yunlubo.HTTPError
	if !errors.As(err, &he) || he.StatusCode != http.StatusNotFound || f.srv.Requests("list_gather") != 1 {
		t.Fatalf("404: %v after %d calls", err, f.srv.Requests("list_gather"))
	}
}

func TestSlowServerHitsCallTimeout(t *testing.T) {
	f := newFixture(t, func(o *yunlubo.Options) { o.CallTimeout = 50 * time.Millisecond })
	f.srv.SetDelay(time.Hour)
	_, err := f.client.AllSchools(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a deadline error, got %v", err)
	}
	if strings.Contains(err.Error(), testUnionID) {
		t.Fatalf("unionid in error: %v", err)
	}
	// The caller's own deadline also ends it.
	f2 := newFixture(t, nil)
	f2.srv.SetDelay(time.Hour)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f2.client.Version(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("want canceled, got %v", err)
	}
}

func TestDownAndBack(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	if err := f.client.RenewToken(context.Background()); err != nil {
		t.Fatal(err)
	}
	tok, _ := f.tokens.LoadToken(context.Background())
	f.srv.SetDown(true)
	_, err := f.client.AllTeachers(context.Background())
	if err == nil {
		t.Fatal("a down server answered")
	}
	// net/http itself may resend a GET once on a reused connection, so the
	// client's own retries are counted in its log.
	if n := strings.Count(f.logs.String(), "op=list_teacher attempt="); n != yunlubo.DefaultRetries {
		t.Fatalf("transport errors retried %d times, want %d", n, yunlubo.DefaultRetries)
	}
	if strings.Contains(err.Error(), tok.Value.Reveal()) {
		t.Fatalf("token in error: %v", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) || strings.Contains(ue.URL, tok.Value.Reveal()) {
		t.Fatalf("url.Error missing or not redacted: %#v", ue)
	}
	f.srv.SetDown(false)
	ts, err := f.client.AllTeachers(context.Background())
	if err != nil || len(ts) != 1 {
		t.Fatalf("after coming back: %v %v", ts, err)
	}
}

func TestConcurrentCallsShareOneRenewal(t *testing.T) {
	f := newFixture(t, nil)
	seedSchool(f.srv)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			_, err := f.client.AllSubjects(context.Background())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.srv.TokensIssued(); n != 1 {
		t.Fatalf("16 concurrent calls took %d tokens", n)
	}
}

// hostile answers what a broken or malicious server might.
func hostile(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *yunlubo.Client {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/access_token") {
			fmt.Fprint(w, `{"err_code":0,"err_msg":"OK","token":"t0k3n-abcdef","expires":7200}`)
			return
		}
		answer(w, r)
	}))
	t.Cleanup(hs.Close)
	c, err := yunlubo.New(yunlubo.Options{BaseURL: hs.URL, UnionID: testUnionID, MaxPages: 20,
		MaxBody: 1 << 16, RetryBase: time.Millisecond, RetryMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHostileServer(t *testing.T) {
	ctx := context.Background()
	t.Run("endless pages", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"err_code":0,"max_page":"999999999","cur_page":%q,"data":[{"school_id":1}]}`, r.URL.Query().Get("cur"))
		})
		if _, err := c.AllSchools(ctx); !errors.Is(err, yunlubo.ErrTooManyPages) {
			t.Fatalf("want ErrTooManyPages, got %v", err)
		}
	})
	t.Run("empty page before max_page", func(t *testing.T) {
		calls := 0
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			calls++
			if r.URL.Query().Get("cur") == "1" {
				fmt.Fprint(w, `{"err_code":0,"max_page":50,"data":[{"school_id":1}]}`)
				return
			}
			fmt.Fprint(w, `{"err_code":0,"max_page":50,"data":[]}`)
		})
		rows, err := c.AllSchools(ctx)
		if err != nil || len(rows) != 1 || calls != 2 {
			t.Fatalf("%d rows, %d calls, %v", len(rows), calls, err)
		}
	})
	t.Run("too many rows", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"err_code":0,"max_page":1,"data":[`+strings.Repeat("{},", 1500)+`{}]}`)
		})
		if _, err := c.AllSchools(ctx); err == nil || !strings.Contains(err.Error(), "rows") {
			t.Fatalf("want a too-many-rows error, got %v", err)
		}
	})
	t.Run("huge body", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"err_code":0,"data":[{"name":"`+strings.Repeat("x", 1<<17)+`"}]}`)
		})
		if _, err := c.AllSchools(ctx); err == nil || !strings.Contains(err.Error(), "larger than") {
			t.Fatalf("want a body-size error, got %v", err)
		}
	})
	t.Run("no err_code", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, `{}`) })
		if _, err := c.AllSchools(ctx); err == nil || !strings.Contains(err.Error(), "err_code") {
			t.Fatalf("want a no-err_code error, got %v", err)
		}
	})
	t.Run("wrong types", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `{"err_code":0,"max_page":1,"data":[{"camera_id":{"x":1}}]}`)
		})
		if _, _, err := c.AllCameras(ctx); err == nil || !strings.Contains(err.Error(), "list_camera") {
			t.Fatalf("want a decode error naming list_camera, got %v", err)
		}
	})
	t.Run("err_msg echoing the token", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `{"err_code":1010,"err_msg":"bad %s %s"}`, r.URL.Query().Get("token"), testUnionID)
		})
		_, err := c.PlayCamera(ctx, 1, 0, 0)
		wantCode(t, err, yunlubo.CodeNoID)
		if strings.Contains(err.Error(), "t0k3n-abcdef") || strings.Contains(err.Error(), testUnionID) {
			t.Fatalf("credential echoed into the error: %v", err)
		}
	})
	t.Run("redirect not followed", func(t *testing.T) {
		c := hostile(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://example.invalid/steal?"+r.URL.RawQuery, http.StatusFound)
		})
		_, err := c.AllSchools(ctx)
		var he *yunlubo.HTTPError
		if !errors.As(err, &he) || he.StatusCode != http.StatusFound {
			t.Fatalf("want HTTP 302 refused, got %v", err)
		}
	})
}
