package onenettest

import "net/http"

// validChannelTitle: 2.3/2.4 "长度不超过64且只能是数字、字母或者是数字字母组合".
func validChannelTitle(t string) bool {
	if t == "" || len(t) > maxChannelTitle {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// queryChannels is 2.1 QryChannel.
func (e *Emulator) queryChannels(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodGet)
	if !ok1 {
		return
	}
	d, ok1 := q.device("device_id")
	if !ok1 {
		return
	}
	result := []map[string]any{}
	for _, c := range sortedChannels(e.st.channels[d.ID]) {
		result = append(result, map[string]any{"channel_id": c.ID, "title": c.Title, "desc": c.Desc})
	}
	ok(w, map[string]any{"result": result})
}

// channelForm reads channel_id, title and desc of 2.3/2.4.
func (q *request) channelForm() (Channel, bool) {
	n, ok1 := q.intParam("channel_id", 0, 1<<31-1)
	if !ok1 {
		return Channel{}, false
	}
	title, ok1 := q.param("title")
	if !ok1 {
		return Channel{}, false
	}
	if !validChannelTitle(title) {
		refuse(q.w, ErrnoInvalidParam, "invalid parameter: title (at most 64 letters and digits)")
		return Channel{}, false
	}
	return Channel{ID: n, Title: title, Desc: q.r.URL.Query().Get("desc")}, true
}

// addChannel is 2.3 AddChannel: errno 16 for a channel that exists.
func (e *Emulator) addChannel(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodPost)
	if !ok1 {
		return
	}
	d, ok1 := q.device("device_id")
	if !ok1 {
		return
	}
	ch, ok1 := q.channelForm()
	if !ok1 {
		return
	}
	if _, exists := e.st.channels[d.ID][ch.ID]; exists {
		refuse(w, ErrnoChannelExists, "The channel already exists,cannot add again!")
		return
	}
	e.st.channels[d.ID][ch.ID] = ch
	ok(w, nil)
}

// modifyChannel is 2.4 ModifyChannel: errno 17 for a channel that does
// not exist.
func (e *Emulator) modifyChannel(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodPost)
	if !ok1 {
		return
	}
	d, ok1 := q.device("device_id")
	if !ok1 {
		return
	}
	ch, ok1 := q.channelForm()
	if !ok1 {
		return
	}
	if _, exists := e.st.channels[d.ID][ch.ID]; !exists {
		refuse(w, ErrnoChannelNotFound, "This channel is not available under this device!")
		return
	}
	e.st.channels[d.ID][ch.ID] = ch
	ok(w, nil)
}

// deleteChannel is 2.2 DelChannel: errno 17 for a channel that does not
// exist (the document gives no code; 17 is its meaning).
func (e *Emulator) deleteChannel(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	q, ok1 := e.begin(w, r, http.MethodDelete)
	if !ok1 {
		return
	}
	d, ch, ok1 := q.channel()
	if !ok1 {
		return
	}
	delete(e.st.channels[d.ID], ch.ID)
	delete(e.st.recording, chanKey{d.ID, ch.ID})
	ok(w, nil)
}
