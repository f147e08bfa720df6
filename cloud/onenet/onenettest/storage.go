package onenettest

import (
	"io"
	"net/http"
	"unicode/utf8"
)

// storageBegin checks method, key and product of an object-storage call
// (15): only the master key (api-key) is accepted; a device key is 403.
// Callers hold e.mu.
func (e *Emulator) storageBegin(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method != method {
		storageAnswer(w, http.StatusMethodNotAllowed, "method not allow")
		return false
	}
	who, known := e.whoIs(r)
	switch {
	case !known:
		storageAnswer(w, http.StatusUnauthorized, "auth failed")
		return false
	case !who.master:
		storageAnswer(w, http.StatusForbidden, "access deny")
		return false
	}
	product := r.URL.Query().Get("product_id")
	if product == "" {
		storageAnswer(w, http.StatusBadRequest, "bad request: product_id required")
		return false
	}
	if product != e.cfg.ProductID {
		storageAnswer(w, http.StatusNotFound, "resource not found")
		return false
	}
	return true
}

// storageName checks name: present (400), at most 256 (1002), letters,
// digits, '-', '_', '.' only (1001).
func storageName(w http.ResponseWriter, r *http.Request) (string, bool) {
	name := r.URL.Query().Get("name")
	if name == "" {
		storageAnswer(w, http.StatusBadRequest, "bad request: name required")
		return "", false
	}
	if len(name) > maxFileName {
		storageAnswer(w, 1002, "invalid name, maximum limit is 256")
		return "", false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_' || c == '.') {
			storageAnswer(w, 1001, "invalid name, excluding special characters")
			return "", false
		}
	}
	return name, true
}

// uploadFile is 15.1: at most 8 MiB (413), desc at most 1024 (1003).
func (e *Emulator) uploadFile(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.storageBegin(w, r, http.MethodPut) {
		return
	}
	name, ok1 := storageName(w, r)
	if !ok1 {
		return
	}
	desc := r.URL.Query().Get("desc")
	if utf8.RuneCountInString(desc) > maxFileDesc {
		storageAnswer(w, 1003, "invalid desc, maximum limit is 1024")
		return
	}
	if _, exists := e.st.files[name]; exists && !e.cfg.OverwriteFiles {
		storageAnswer(w, http.StatusBadRequest, "bad request: name already exists")
		return
	}
	if r.ContentLength > MaxFileSize {
		storageAnswer(w, http.StatusRequestEntityTooLarge, "resource size is too big")
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, MaxFileSize+1))
	if err != nil {
		storageAnswer(w, http.StatusBadRequest, "bad request: body unreadable")
		return
	}
	if len(data) > MaxFileSize {
		storageAnswer(w, http.StatusRequestEntityTooLarge, "resource size is too big")
		return
	}
	e.st.files[name] = File{Name: name, Desc: desc, Data: data, At: e.cfg.Now()}
	storageAnswer(w, http.StatusOK, "succ")
}

// downloadFile is 15.2: the bytes.
func (e *Emulator) downloadFile(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.storageBegin(w, r, http.MethodGet) {
		return
	}
	name, ok1 := storageName(w, r)
	if !ok1 {
		return
	}
	f, exists := e.st.files[name]
	if !exists {
		storageAnswer(w, http.StatusNotFound, "resource not found")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(f.Data)
}

// listFiles is 15.4: errno 0 on success, filtered by exact name when given.
func (e *Emulator) listFiles(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.storageBegin(w, r, http.MethodGet) {
		return
	}
	name := r.URL.Query().Get("name")
	data := []map[string]any{}
	for _, f := range e.sortedFiles() {
		if name == "" || f.Name == name {
			data = append(data, map[string]any{"product_id": e.cfg.ProductID, "name": f.Name, "size": len(f.Data), "date": f.At.Unix(), "desc": f.Desc})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": data, "errno": 0, "error": "succ",
		"page_info": map[string]any{"total_num": len(data), "page_total": 1, "page_size": 50, "current_page": 1}})
}

// deleteFile is 15.3: errno 200 on success, 404 for an unknown name.
func (e *Emulator) deleteFile(w http.ResponseWriter, r *http.Request) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.storageBegin(w, r, http.MethodDelete) {
		return
	}
	name, ok1 := storageName(w, r)
	if !ok1 {
		return
	}
	if _, exists := e.st.files[name]; !exists {
		storageAnswer(w, http.StatusNotFound, "resource not found")
		return
	}
	delete(e.st.files, name)
	storageAnswer(w, http.StatusOK, "succ")
}
