package main

import (
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/zcopy/zcopy/internal/cmdspec"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print the completion script of bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish [COMMAND]...",
		Description: "The script completes the options of zcat, ztee and zcp from the tables\n" +
			"their parsers use, and zcopy's commands through urfave/cli; with COMMANDs,\n" +
			"only those (" + strings.Join(cmdspec.Commands, ", ") + "). make install installs these scripts.",
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return usagef("completion needs a shell: %s", strings.Join(cmdspec.Shells, ", "))
			}
			s, err := cmdspec.Completion(c.Args().First(), c.Args().Tail())
			if err != nil {
				return &usageError{err.Error()}
			}
			_, err = io.WriteString(c.App.Writer, s)
			return err
		},
		BashComplete: func(c *cli.Context) {
			words := cmdspec.Shells
			if c.NArg() > 0 {
				words = cmdspec.Commands
			}
			for _, w := range words {
				io.WriteString(c.App.Writer, w+"\n")
			}
		},
	}
}
