package bench

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"sync"
)

// logTally receives the service's log (text format, level warn and above),
// copies it to a file and counts warnings and errors by message, so that
// trouble under load shows in the report and not only in a file.
type logTally struct {
	mu       sync.Mutex
	file     io.WriteCloser
	fileName string
	partial  []byte
	warnings int
	errors   int
	messages map[string]int
	examples map[string]string
	order    []string
	last     []string
}

// serviceLog is the report's summary of the service log.
type serviceLog struct {
	Warnings int `json:"warnings"`
	Errors   int `json:"errors"`
	// Of those, the ones logged while the service was stopping, after the
	// measurement.
	ShutdownWarnings int `json:"shutdown_warnings"`
	ShutdownErrors   int `json:"shutdown_errors"`
	// Messages counts each distinct warning or error message, first seen first.
	Messages []logMessage `json:"messages,omitempty"`
	File     string       `json:"file,omitempty"`
}

type logMessage struct {
	Level   string `json:"level"`
	Message string `json:"message"`
	Count   int    `json:"count"`
	// Example is the first such line.
	Example string `json:"example"`
}

var (
	logLevelRE = regexp.MustCompile(`\blevel=(WARN|ERROR)\b`)
	logMsgRE   = regexp.MustCompile(`\bmsg=("(?:[^"\\]|\\.)*"|\S+)`)
)

const maxLogMessages = 20

func newLogTally(file io.WriteCloser) *logTally {
	l := &logTally{file: file, messages: map[string]int{}, examples: map[string]string{}}
	if f, ok := file.(interface{ Name() string }); ok {
		l.fileName = f.Name()
	}
	return l
}

// Write implements io.Writer; it is safe for concurrent use.
func (l *logTally) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		l.file.Write(p)
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

func (l *logTally) line(s string) {
	if s = strings.TrimSpace(s); s == "" {
		return
	}
	l.last = append(l.last, s)
	if len(l.last) > 20 {
		l.last = l.last[1:]
	}
	m := logLevelRE.FindStringSubmatch(s)
	if m == nil {
		return
	}
	if m[1] == "WARN" {
		l.warnings++
	} else {
		l.errors++
	}
	msg := ""
	if mm := logMsgRE.FindStringSubmatch(s); mm != nil {
		msg = strings.Trim(mm[1], `"`)
	}
	key := m[1] + "\x00" + msg
	if _, ok := l.messages[key]; !ok {
		if len(l.order) >= maxLogMessages {
			return
		}
		l.order = append(l.order, key)
		l.examples[key] = s
	}
	l.messages[key]++
}

// tail returns the last lines written, for an error message.
func (l *logTally) tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "\n")
}

// summary returns the counts for the report.
func (l *logTally) summary() serviceLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := serviceLog{Warnings: l.warnings, Errors: l.errors, File: l.fileName}
	for _, key := range l.order {
		level, msg, _ := strings.Cut(key, "\x00")
		s.Messages = append(s.Messages, logMessage{Level: level, Message: msg, Count: l.messages[key], Example: l.examples[key]})
	}
	return s
}

// close closes the file; later writes are still counted.
func (l *logTally) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		l.file.Close()
		l.file = nil
	}
}
