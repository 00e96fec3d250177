package main

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestQuietListenerClosesSilentConnections: a shutdown closes the accepted
// connections that never sent a byte, and only those.
func TestQuietListenerClosesSilentConnections(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newQuietListener(raw)
	defer ln.Close()

	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- c
		}
	}()
	silent, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	talking, err := net.Dial("tcp", raw.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer talking.Close()
	server := map[net.Conn]net.Conn{}
	for range 2 {
		c := <-accepted
		server[c] = c
	}
	if _, err := talking.Write([]byte("GET / HTTP/1.1\r\n")); err != nil {
		t.Fatal(err)
	}
	// The server side reads the talking connection's first bytes.
	read := 0
	for c := range server {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if n, _ := c.Read(make([]byte, 64)); n > 0 {
			read++
		}
		c.SetReadDeadline(time.Time{})
	}
	if read != 1 {
		t.Fatalf("%d server connections read data, want 1", read)
	}

	time.Sleep(freshAge)
	ln.closeQuiet()

	silent.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := silent.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the silent connection after closeQuiet: read error %v, want EOF (closed by the server)", err)
	}
	talking.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := talking.Read(make([]byte, 1)); err == nil || err == io.EOF {
		t.Errorf("the talking connection after closeQuiet: read error %v, want a timeout (still open)", err)
	}
}
