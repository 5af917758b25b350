package cmdspec

import (
	"os"

	"github.com/zcopy/zcopy/internal/cli"
	"github.com/zcopy/zcopy/internal/copy"
)

// MethodEnv names the variable that forces a method when --method is not
// given, for scripts that meet a kernel or filesystem bug in one.
const MethodEnv = "ZCOPY_METHOD"

// MatchMethod reads the argument of --method among names (copy.ForceNames
// or a part of them) as GNU's XARGMATCH reads an option's: a unique prefix
// will do, and a bad one gets argmatch's message for option.
func MatchMethod(option, value string, names []string) (copy.Method, error) {
	i, err := cli.ArgMatch(option, value, names)
	if err != nil {
		return copy.None, err
	}
	for j, name := range copy.ForceNames {
		if name == names[i] {
			return copy.ForceMethods[j], nil
		}
	}
	return copy.None, nil
}

// EnvMethod is the method MethodEnv forces (copy.None when it is unset or
// empty); a bad value is reported under the variable's name.
func EnvMethod(names []string) (copy.Method, error) {
	v := os.Getenv(MethodEnv)
	if v == "" {
		return copy.None, nil
	}
	return MatchMethod(MethodEnv, v, names)
}

// MethodName is the name by which m is forced.
func MethodName(m copy.Method) string {
	for i, fm := range copy.ForceMethods {
		if fm == m {
			return copy.ForceNames[i]
		}
	}
	return m.String()
}
