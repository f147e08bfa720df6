// Package boxapi is the box's own 云录播 /api/v1 (lubo's seeds/004, §1-§3),
// so a school's platform or player can talk to the box directly with the
// same API as a 云录播 server, and the play pages behind play_camera and
// play_record.
//
// Mount: mux.Handle("/api/v1/", h) and mux.Handle("/play/", h), and run
// h.Run(ctx) beside the HTTP server.
//
// What the box answers, beyond the document:
//   - Tokens (§3.2) are random, live 7200 s on Options.Now, are kept in
//     memory (hashed) and die with the process: clients ask again after
//     1006. A unionid that is not one is 1001, any other wrong one 1002.
//   - Numbers: camera_id, course_id, subject_id and teacher_id are numbers
//     kept in bbolt (storage.BoxNumber). A server's camera "y12" keeps 12,
//     a server's course keeps its course_id; everything else is numbered
//     from 10001. record_id is the record's Seq.
//   - Channels and courses of the config file or of a 云录播 server are
//     listed but not edited here: 1003 with the reason in err_msg. Only
//     MP4-file and forward channels (stream_prop 1, 2) can be added.
//   - add/mod_course judge the course with the whole timetable through
//     recorder/schedule.Validate, the check the config's schedule gets.
//   - Endpoints a box does not serve (add/mod/del of schools, subjects,
//     teachers, mod_gather) answer 1003 after the token and parameter checks.
//   - A fault of the store is answered 1010 with a sentence, never a Go
//     error string; the error goes to the log.
//   - play_url is a page on the box with a signed ticket (HMAC-SHA256, key
//     made at start, Options.TicketTTL) instead of the token. The page sends
//     a heartbeat every 12 s; each heartbeat holds a lease of
//     Options.LeaseTimeout that keeps a live channel's source running and
//     the ticket valid; closing the page ends its lease at once (beacon).
//   - start_camera holds the channel's source running, as a viewer would,
//     until stop_camera or a restart; it does not record.
package boxapi
