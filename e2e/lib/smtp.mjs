// A real SMTP server on 127.0.0.1 that keeps every message it receives,
// parsed.
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export async function startSMTP() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.server.address();
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    // waitFor resolves with the first message to `to` whose subject
    // matches, among those not yet taken, polling for up to 20s.
    async waitFor(to, subject = /./) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const i = messages.findIndex((m) => !m.taken && m.to?.text.toLowerCase() === to.toLowerCase() && subject.test(m.subject ?? ''));
        if (i >= 0) {
          messages[i].taken = true;
          return messages[i];
        }
        if (Date.now() > deadline) {
          throw new Error(`no mail to ${to} matching ${subject} within 20s; got: ${messages.map((m) => `${m.to?.text}: ${m.subject}`).join('; ')}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// accountLink is the /account/<kind>/<n>/<token> link in a mail, which
// must appear in both its text and its HTML part.
export function accountLink(mail, kind) {
  const pattern = new RegExp(`https?://[^\\s"'<>]+/account/${kind}/\\d+/[A-Za-z0-9_-]+`);
  const inText = pattern.exec(mail.text ?? '')?.[0];
  const inHTML = pattern.exec(mail.html || '')?.[0];
  if (!inText || inText !== inHTML) {
    throw new Error(`${kind} link missing from a part, or the parts differ: text ${inText}, html ${inHTML}`);
  }
  return inText;
}
