package schedule

import "fmt"

// EventKind says what the recorder should do with an occurrence.
type EventKind int

const (
	// Start: begin recording. Sent PreRoll before the course starts, or at
	// once when the course is already running (after a reboot, or when a
	// running course is added).
	Start EventKind = iota + 1
	// Update: the occurrence being recorded changed while it runs (a new
	// End, subject or teacher); keep recording and follow the new End.
	Update
	// Stop: stop recording. Sent at the course's end, or at once when the
	// course is removed or moved away from now; then End is when it stopped.
	Stop
)

func (k EventKind) String() string {
	switch k {
	case Start:
		return "start"
	case Update:
		return "update"
	case Stop:
		return "stop"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event is one instruction from the Planner to the recorder.
type Event struct {
	Kind       EventKind
	Occurrence Occurrence
}
