package main

import (
	"fmt"
	"os/user"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/team"
)

func newHubUserCmd(e env) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage a team hub's users: add (prints the token), list, remove",
		Long: `user manages the users of a team hub (calltop hub --team) in its state directory.
Roles: a viewer sees; a responder also acknowledges and silences; an admin also
manages users. Tokens are stored hashed (SHA-256) in users.json (mode 0600); the
token is printed once, alone on stdout, by add. A running hub picks changes up at
the next connection. Adding and removing are written to the audit log.`,
		Example: `  calltop hub user add dana --role responder --state-dir /var/lib/calltop > dana.token
  calltop hub user add vic --role viewer --state-dir /var/lib/calltop
  calltop hub user list --state-dir /var/lib/calltop
  calltop hub user remove vic --state-dir /var/lib/calltop`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&dir, "state-dir", "", "the team hub's state directory (default $XDG_STATE_HOME/calltop)")
	users := func() (*team.Users, error) {
		d, err := stateDir(dir)
		if err != nil {
			return nil, err
		}
		return team.OpenUsers(d)
	}
	// change runs one audited change of the users file.
	change := func(op, target string, do func(*team.Users) error) error {
		u, err := users()
		if err != nil {
			return err
		}
		d, _ := stateDir(dir)
		audit, err := team.OpenAudit(d)
		if err != nil {
			return err
		}
		defer audit.Close()
		err = do(u)
		auditUser(audit, op, target, err)
		return err
	}
	var role string
	add := &cobra.Command{
		Use:   "add NAME --role viewer|responder|admin",
		Short: "Add a user and print its new token alone on stdout",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var token string
			err := change("user add", args[0]+" as "+role, func(u *team.Users) (err error) {
				token, err = u.Add(args[0], role, time.Now())
				return err
			})
			if err == nil {
				fmt.Fprintln(cmd.OutOrStdout(), token)
			}
			return err
		},
	}
	add.Flags().StringVar(&role, "role", "", "viewer, responder or admin")
	add.MarkFlagRequired("role")
	add.RegisterFlagCompletionFunc("role", cobra.FixedCompletions([]string{"viewer", "responder", "admin"}, cobra.ShellCompDirectiveNoFileComp))
	list := &cobra.Command{
		Use:   "list",
		Short: "List the users and their roles",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			u, err := users()
			if err != nil {
				return err
			}
			all, err := u.List()
			if err != nil {
				return err
			}
			if len(all) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no users")
			}
			for _, x := range all {
				fmt.Fprintf(cmd.OutOrStdout(), "%-24s %-10s added %s\n", x.Name, x.Role, x.Created.UTC().Format(time.DateTime))
			}
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a user: its token stops working at its next connection",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := change("user remove", args[0], func(u *team.Users) error { return u.Remove(args[0]) })
			if err == nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "removed %s\n", args[0])
			}
			return err
		},
	}
	cmd.AddCommand(add, list, remove)
	shareExamples(cmd)
	return cmd
}

// auditUser writes a user management command to the audit log, as the
// OS user on this machine.
func auditUser(a *team.Audit, op, target string, err error) {
	who := "unknown"
	if u, uerr := user.Current(); uerr == nil {
		who = u.Username
	}
	e := team.Entry{At: time.Now().UTC(), User: who, Role: "local", From: "local", Op: op, Target: target, Result: "ok"}
	if err != nil {
		e.Result, e.Error = "error", err.Error()
	}
	a.Write(e)
}
