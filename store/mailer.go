package store

import (
	"context"
	"fmt"

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

// Send delivers one plain-text email.
func (m *SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	msg := mail.NewMsg()
	if err := msg.From(m.Config.From); err != nil {
		return fmt.Errorf("from address %q: %w", m.Config.From, err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("to address %q: %w", to, err)
	}
	msg.Subject(subject)
	msg.SetBodyString(mail.TypeTextPlain, body)
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
