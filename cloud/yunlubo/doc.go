// Package yunlubo is a client for the 云录播 (cloud recording server) API v1
// as described in the vendor document "云录播 API 接口" (lubo's seeds/004).
//
// Every call is a GET to /api/v1/<endpoint>?<params>. A "unionid" (the API
// credential shown in the server's admin page) is exchanged for a token that
// lives 7200 s; the client caches it in a TokenStore, renews it before it runs
// out, and renews it once more when a call answers 1006 or 1007.
//
// The server is treated as hostile: bodies are capped, numbers are accepted
// both as JSON numbers and as strings, paging walks have a hard page cap, and
// neither the unionid nor the token ever appears in an error or a log line.
//
// ParseRequest and ValidateParams hold the request side of the same protocol
// (both URL forms, parameter checks mapped to the documented err_codes) so an
// emulator or a server of the same API can share it.
package yunlubo
