package main

import (
	"strings"
	"testing"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/cmdspec"
	"github.com/zcopy/zcopy/internal/tree"
)

func TestBackupControl(t *testing.T) {
	t.Setenv("LC_ALL", "C")
	tests := []struct {
		arg, env string
		want     tree.Backup
		err      string // the start of the message, "" for none
	}{
		{"", "", tree.BackupExisting, ""},
		{"none", "", tree.BackupNone, ""},
		{"off", "numbered", tree.BackupNone, ""},
		{"simple", "", tree.BackupSimple, ""},
		{"never", "", tree.BackupSimple, ""},
		{"existing", "", tree.BackupExisting, ""},
		{"nil", "", tree.BackupExisting, ""},
		{"numbered", "", tree.BackupNumbered, ""},
		{"t", "", tree.BackupNumbered, ""},
		{"nu", "", tree.BackupNumbered, ""},
		{"ne", "", tree.BackupSimple, ""},
		{"ni", "", tree.BackupExisting, ""},
		{"no", "", tree.BackupNone, ""},
		{"o", "", tree.BackupNone, ""},
		{"s", "", tree.BackupSimple, ""},
		{"e", "", tree.BackupExisting, ""},
		// The argument wins over the variable, even a bad one.
		{"simple", "foo", tree.BackupSimple, ""},
		{"", "t", tree.BackupNumbered, ""},
		{"", "si", tree.BackupSimple, ""},
		{"n", "", 0, "ambiguous argument 'n' for 'backup type'\nValid arguments are:\n  - 'none', 'off'\n"},
		{"foo", "t", 0, "invalid argument 'foo' for 'backup type'\n"},
		{"numbers", "", 0, "invalid argument 'numbers' for 'backup type'\n"},
		{"", "foo", 0, "invalid argument 'foo' for '$VERSION_CONTROL'\n"},
		{"", "n", 0, "ambiguous argument 'n' for '$VERSION_CONTROL'\n"},
	}
	for _, tt := range tests {
		got, err := backupControl(tt.arg, tt.env)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("backupControl(%q, %q) = %v, %v; want %v", tt.arg, tt.env, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.err)):
			t.Errorf("backupControl(%q, %q) error = %v; want one starting %q", tt.arg, tt.env, err, tt.err)
		case tt.err != "":
			if _, ok := err.(*cli.UsageError); !ok {
				t.Errorf("backupControl(%q, %q) error is a %T; want a *cli.UsageError", tt.arg, tt.env, err)
			}
		}
	}
}

// TestBackupModes: one mode per name of cmdspec.BackupArgs, synonyms
// next to each other.
func TestBackupModes(t *testing.T) {
	if len(backupModes) != len(cmdspec.BackupArgs) {
		t.Fatalf("%d backup modes for %d names", len(backupModes), len(cmdspec.BackupArgs))
	}
	for i, name := range cmdspec.BackupArgs {
		got, err := backupControl(name, "")
		if err != nil || got != backupModes[i] {
			t.Errorf("backupControl(%q) = %v, %v; want %v", name, got, err, backupModes[i])
		}
	}
}
