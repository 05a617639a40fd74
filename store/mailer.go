package store

import (
	"context"
	"fmt"
	netmail "net/mail"

	mail "github.com/wneessen/go-mail"
)

// SMTPConfig says how to reach an SMTP server.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// SMTPMailer sends email through an SMTP server with STARTTLS when offered.
type SMTPMailer struct {
	Config SMTPConfig
}

// Send delivers one email: plain text, with an HTML alternative when it
// has one. A sender name goes beside the configured From address (a
// merchant's name on its customers' emails: the address stays the one the
// server may send as); replies go to ReplyTo.
func (m *SMTPMailer) Send(ctx context.Context, e Email) error {
	msg := mail.NewMsg()
	from, err := netmail.ParseAddress(m.Config.From)
	if err != nil {
		return fmt.Errorf("from address %q: %w", m.Config.From, err)
	}
	if e.FromName != "" {
		from.Name = e.FromName
	}
	// Set as a parsed address, not formatted text: a name is whatever the
	// merchant typed (quotes, angle brackets), and the header encodes it.
	msg.FromMailAddress(from)
	if err := msg.To(e.To); err != nil {
		return fmt.Errorf("to address %q: %w", e.To, err)
	}
	if e.ReplyTo != "" {
		if err := msg.ReplyTo(e.ReplyTo); err != nil {
			return fmt.Errorf("reply-to address %q: %w", e.ReplyTo, err)
		}
	}
	msg.Subject(e.Subject)
	msg.SetBodyString(mail.TypeTextPlain, e.Body)
	if e.HTML != "" {
		// multipart/alternative: a reader that shows HTML shows it, any
		// other the plain text.
		msg.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	opts := []mail.Option{mail.WithPort(m.Config.Port), mail.WithTLSPolicy(mail.TLSOpportunistic)}
	if m.Config.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(m.Config.Username), mail.WithPassword(m.Config.Password))
	}
	client, err := mail.NewClient(m.Config.Host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	return client.DialAndSendWithContext(ctx, msg)
}
