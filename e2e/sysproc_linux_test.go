package e2e

import "syscall"

// childAttr makes a child die with the test process, so an aborted run
// leaves no service running.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
