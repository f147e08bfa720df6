// Package hikyunmou is a client for the Hikvision 云眸·普教 (education cloud)
// open API: an OAuth client-credentials bearer token, device registration, and
// the device-authorization flow (设备确权) the vendor document (seed 000)
// describes for a registration refused with code 515019:
//
//  1. auto-confirm; if it succeeds, register again;
//  2. otherwise the installer takes the device offline (power or network) and
//     offline-confirm is polled, at least 5 s apart, for at most 120 s;
//  3. the installer brings the device back and online-confirm is polled, at
//     least 5 s apart, for at most 180 s; then register again.
//
// The whole flow is capped at 20 minutes. The document names these calls but
// prints no paths; the defaults come from lubo's issue and every path is a
// setting ([Paths]). The flow reports each step through a [Progress] callback,
// because a human has to act on two of them.
//
// Secrets (client secret, bearer token, device validate code) are of type
// [Secret], which prints as "******". The package imports nothing of lubo.
package hikyunmou
