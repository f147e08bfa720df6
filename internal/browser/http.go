package browser

import (
	"encoding/json"
	"net/http"
)

type target struct {
	Type                 string `json:"type"`
	URL                  string `json:"url"`
	WebSocketDebuggerURL string `json:"webSocketDebuggerUrl"`
}

func httpGetJSON(url string) ([]target, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var ts []target
	return ts, json.NewDecoder(resp.Body).Decode(&ts)
}
