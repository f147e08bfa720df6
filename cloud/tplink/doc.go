// Package tplink is a client for the TP-LINK commercial cloud (TUMS) open API,
// written from the vendor document (seeds/001_f17da8ae0b6e7308.txt):
//
//   - request signing (§1.2.2): HmacSHA256 chain over timestamp, path and
//     "tp-link", sent as the X-Authorization header;
//   - temporary AK/SK (§1.4.1.1), cached and renewed before they expire;
//   - device listing and NVR channel listing (§1.4.3.10, .11, .13);
//   - stream address resolution (§1.4.5.2-1.4.5.5): requestStreamUrl, then
//     requestRelayUrl at the returned sdkStreamUrl, then requestRelayUrlAgain
//     while the cloud answers -80703 "URL not ready";
//   - playback search (§1.4.5.6-1.4.5.8);
//   - the error codes of §1.2.2.4 and §1.5 as *Error.
//
// The package stands alone: it imports nothing of lubo. Secrets (SK, temporary
// SK, relay cookies and tokens) are held as Secret, which never prints itself.
// The emulator used by the tests is in package tplinktest.
package tplink
