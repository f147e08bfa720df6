// Package onenet is a client for the OneNET video platform (视频能力 API,
// "api.video.heclouds.com"), limited to what an edge recording box needs:
// registering itself as a device, managing its channels, resolving play
// addresses and preloading HLS, uploading pictures and files, starting and
// stopping platform recording, and asking whether devices are online.
//
// Every call carries the "api-key" header: the product's master key, or a
// device key obtained from a register code (see Client.WithKey). Replies are
// {"errno": n, "error": "..."}; success is errno 0, except object-storage
// upload and delete, which answer errno 200. Any other errno, and any HTTP
// 4xx/5xx, is returned as *Error.
//
// Errors fall in three classes, which an at-least-once uploader needs to tell
// apart (see Retryable):
//   - retry later: transport failures, timeouts, HTTP 5xx/429, object-storage
//     errno 5xx, answers that cannot be decoded;
//   - already there: the platform refused an upload because an object of that
//     name exists (errors.Is(err, ErrDuplicateName));
//   - permanent refusal: everything else, including values refused locally
//     before sending (*FieldError, ErrFileTooLarge).
//
// Within one call the client resends at once (up to Config.Attempts, with
// capped, jittered exponential pauses) only after a transport error or a
// 5xx; CreateDevice, which is not idempotent, only when the connection was
// never made or a 5xx came back. Every attempt has its own deadline
// (Config.Timeout, or Config.UploadTimeout for uploads), and answers are
// read up to MaxAnswerBytes.
//
// Decisions where the document is unclear (shared with package onenettest):
//   - The HLS address is http://{addr}/live/live_{device}_{channel}/index.m3u8?{token}
//     and the RTMP one {type}://{addr}/live/{device}-{channel}?{token}; the token
//     is appended after '?' as the document prints it.
//   - "8M以内" is 8 MiB (8,388,608 bytes), checked before a byte is sent.
//   - A duplicate picture or file name has no documented errno. After any
//     permanent refusal of an upload the client asks the platform whether an
//     object of that name exists (5.3 get_info, 15.4 list) and, if so, reports
//     ErrDuplicateName; a lookup that fails transiently makes the whole upload
//     "retry later".
//   - Object-storage names are limited to 256 bytes of letters, digits, '-',
//     '_' and '.' (the document says "excluding special characters" without a
//     list; this set is what lubo's uploader produces).
//   - register_de is sent without an api-key: the register code is the
//     credential there, and the master key need not travel.
//   - Product-level calls (object storage, POST /devices) need the master key;
//     a device key only acts on its own device.
package onenet
