package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"time"

	"github.com/spf13/cobra"

	"github.com/calltop/calltop/cmd/calltop/team"
)

func newHubUserCmd(e env) *cobra.Command {
	var dir string
	var natsURLs []string
	var natsCreds string
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage a team hub's users: add (prints the token), list, remove",
		Long: `user manages the users of a team hub (calltop hub --team) in its state directory.
Roles: a viewer sees; a responder also acknowledges and silences; an admin also
manages users. Tokens are stored hashed (SHA-256) in users.json (mode 0600); the
token is printed once, alone on stdout, by add. A running hub picks changes up at
the next connection. Adding and removing are written to the audit log.

With --nats (team hubs on NATS, docs/team.md) the users live in the JetStream
bucket CALLTOP_USERS that every hub on the bus reads: add a user once and its
token works on every hub within seconds. The audit log stays in --state-dir.`,
		Example: `  calltop hub user add dana --role responder --state-dir /var/lib/calltop > dana.token
  calltop hub user add vic --role viewer --state-dir /var/lib/calltop
  calltop hub user list --state-dir /var/lib/calltop
  calltop hub user remove vic --state-dir /var/lib/calltop
  calltop hub user add dana --role responder --nats nats://n1:4222,nats://n2:4222 > dana.token`,
		Args: cobra.NoArgs,
	}
	cmd.PersistentFlags().StringVar(&dir, "state-dir", "", "the team hub's state directory (default $XDG_STATE_HOME/calltop)")
	cmd.PersistentFlags().StringSliceVar(&natsURLs, "nats", nil, "the users of the team hubs on these NATS servers (the CALLTOP_USERS bucket), not the state directory's")
	cmd.PersistentFlags().StringVar(&natsCreds, "nats-creds", "", "with --nats: a NATS credentials file")
	// users opens the users: the bucket with --nats, else the file;
	// done closes what it opened.
	users := func() (u team.UserStore, done func(), err error) {
		if len(natsURLs) > 0 {
			return jetUsers(natsURLs, natsCreds)
		}
		if natsCreds != "" {
			return nil, nil, errors.New("--nats-creds needs --nats")
		}
		d, err := stateDir(dir)
		if err != nil {
			return nil, nil, err
		}
		u, err = team.OpenUsers(d)
		return u, func() {}, err
	}
	// change runs one audited change of the users file.
	change := func(op, target string, do func(team.UserStore) error) error {
		u, done, err := users()
		if err != nil {
			return err
		}
		defer done()
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
			err := change("user add", args[0]+" as "+role, func(u team.UserStore) (err error) {
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
			u, done, err := users()
			if err != nil {
				return err
			}
			defer done()
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
			err := change("user remove", args[0], func(u team.UserStore) error { return u.Remove(args[0]) })
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

// jetUsers opens the users bucket on the NATS servers for one command.
func jetUsers(urls []string, creds string) (*team.KVUsers, func(), error) {
	nc, js, err := connectJet(urls, creds, "calltop hub user", nil)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u, err := team.OpenKVUsers(ctx, js, "", 0)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	return u, func() { nc.Flush(); nc.Close() }, nil
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
