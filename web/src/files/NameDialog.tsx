import { TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../ui/errors';
import { FormModal } from '../ui/FormModal';

export interface NameDialogProps {
  opened: boolean;
  title: string;
  initial: string;
  submitLabel: string;
  onSubmit(name: string): Promise<void>;
  onClose(): void;
}

/** One name, for a new folder or a rename; the server's refusal is shown in place. */
export function NameDialog(props: NameDialogProps) {
  const { t: tf } = useTranslation('files');
  const [name, setName] = useState(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (!props.opened) return;
    setName(props.initial);
    setError(null);
    // Select the name without its extension, as file managers do on rename.
    const timer = setTimeout(() => {
      const dot = props.initial.lastIndexOf('.');
      input.current?.setSelectionRange(0, dot > 0 ? dot : props.initial.length);
    }, 50);
    return () => clearTimeout(timer);
  }, [props.opened, props.initial]);

  const submit = async () => {
    const trimmed = name.trim();
    if (!trimmed) {
      setError(tf('nameEmpty'));
      return;
    }
    if (trimmed.includes('/')) {
      setError(tf('nameSlash'));
      return;
    }
    setBusy(true);
    try {
      await props.onSubmit(trimmed);
      props.onClose();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <FormModal
      opened={props.opened}
      title={props.title}
      testId="name-dialog"
      error={error}
      busy={busy}
      submitLabel={props.submitLabel}
      submitTestId="name-submit"
      onSubmit={() => void submit()}
      onClose={props.onClose}
    >
      <TextInput
        ref={input}
        label={tf('name')}
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-autofocus
        data-testid="name-input"
      />
    </FormModal>
  );
}
