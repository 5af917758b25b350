package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	zcli "github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/cmdspec"
)

// usageError is a command line zcopy does not accept: it gets the "Try"
// line after its message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// newApp builds the command with its input and outputs injected, so that
// tests need no process.
func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	onUsage := func(_ *cli.Context, err error, _ bool) error { return &usageError{err.Error()} }
	app := &cli.App{
		Name:      "zcopy",
		Usage:     "what zcopy's engine would do, what this kernel offers, shell completions",
		UsageText: "zcopy COMMAND [OPTION]... [ARGUMENT]...",
		Version:   zcli.Version,
		Description: "zcopy probe names the methods zcat, ztee and zcp would try for a pair of\n" +
			"files, zcopy doctor tests this kernel and its filesystems, and zcopy\n" +
			"completion prints the bash, zsh or fish completion of all four commands.",
		Reader:               stdin,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		HideHelpCommand:      true,
		// The default, cli.HandleExitCoder, calls os.Exit from inside Run:
		// run returns the status instead, so that deferred calls run.
		ExitErrHandler: func(*cli.Context, error) {},
		OnUsageError:   onUsage,
		Commands:       []*cli.Command{probeCommand(), doctorCommand(), completionCommand()},
		CommandNotFound: func(c *cli.Context, name string) {
			fmt.Fprintf(c.App.ErrWriter, "zcopy: no such command: %s\nTry 'zcopy --help' for more information.\n", name)
			exitStatus = 1
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = onUsage
	}
	return app
}

// exitStatus is set by CommandNotFound, which cannot return an error.
var exitStatus int

func run(argv []string, stdin, stdout, stderr *os.File) int {
	// urfave's --version prints through this package variable.
	cli.VersionPrinter = func(c *cli.Context) { io.WriteString(c.App.Writer, cmdspec.Version("zcopy")) }
	exitStatus = 0
	err := newApp(stdin, stdout, stderr).Run(argv)
	var ue *usageError
	switch {
	case err == nil:
		return exitStatus
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "zcopy: %s\nTry 'zcopy --help' for more information.\n", ue.msg)
	default:
		// "zcopy: NAME: No such file or directory", as the others say it.
		rep := &zcli.Reporter{Prog: "zcopy", W: stderr}
		rep.Error(err)
	}
	return 1
}
