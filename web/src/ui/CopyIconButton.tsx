import { ActionIcon, Tooltip } from '@mantine/core';
import { Check, Copy } from 'lucide-react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { copyText } from './clipboard';

/** A small copy button: the Clipboard API, or the selection where the page may not use it (plain HTTP). */
export function CopyIconButton({ value }: { value: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <Tooltip label={copied ? t('copied') : t('copy')}>
      <ActionIcon
        variant="subtle"
        color={copied ? 'teal' : 'gray'}
        aria-label={t('copy')}
        onClick={(event) => {
          const field =
            event.currentTarget.closest('.mantine-InputWrapper-root')?.querySelector('input') ?? null;
          void copyText(value, field).then(setCopied);
        }}
      >
        {copied ? <Check size={16} /> : <Copy size={16} />}
      </ActionIcon>
    </Tooltip>
  );
}
