import { Button, Group, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { Check, Copy } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from '../ui/clipboard';

/** A read-only field with a link and a copy button (`share-link`, `share-copy`). */
export function ShareLinkField({ url }: { url: string }) {
  const { t } = useTranslation('share');
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);

  const copy = async () => {
    if (await copyText(url, input.current)) setCopied(true);
    else {
      input.current?.select();
      notifications.show({ color: 'yellow', message: t('dialog.copyManually') });
    }
  };

  return (
    <Group gap="xs" wrap="wrap" align="flex-end">
      <TextInput
        ref={input}
        label={t('dialog.link')}
        value={url}
        readOnly
        onFocus={(event) => event.currentTarget.select()}
        data-testid="share-link"
        style={{ flex: '1 1 240px', minWidth: 0 }}
        // Monospace tells 0/O and l/1 apart; the taller line keeps underscores from being clipped.
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', lineHeight: 1.8 } }}
      />
      <Button
        onClick={() => void copy()}
        color={copied ? 'teal' : undefined}
        leftSection={copied ? <Check size={16} /> : <Copy size={16} />}
        data-testid="share-copy"
        style={{ flex: 'none' }}
      >
        {copied ? t('dialog.copied') : t('dialog.copy')}
      </Button>
    </Group>
  );
}
