// Package ezviz is a client for the Ezviz (萤石) open platform: access tokens
// from an appKey/appSecret, live and playback stream addresses, and PTZ.
//
// It follows the vendor document in the project's seeds (002, "萤石云开放平台小程序"):
// every call is a form-encoded POST, every answer is {"code","msg","data"} with
// code "200" for success. The token call (POST /api/lapp/token/get) is named
// but not printed there; its shape (accessToken, expireTime in milliseconds
// since the epoch) and its refusal codes 10005, 10017 and 10030 are taken from
// Ezviz's public API reference.
//
// Secrets: the appSecret and access tokens are of type [Secret] and print as
// "******". Stream addresses carry a signature (t=…) that lets anyone play the
// camera until the address expires; log them only through [Redact].
//
// The package is a pure client: it imports nothing of lubo.
package ezviz
