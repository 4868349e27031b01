import { Alert, Button, Group, Modal, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { messageOf } from '../ui/errors';

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
  const { t } = useTranslation();
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

  const submit = async (event: FormEvent) => {
    event.preventDefault();
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
    <Modal
      opened={props.opened}
      onClose={props.onClose}
      title={props.title}
      centered
      attributes={{ content: { 'data-testid': 'name-dialog' } }}
    >
      <form onSubmit={submit}>
        {error && (
          <Alert color="red" mb="sm">
            {error}
          </Alert>
        )}
        <TextInput
          ref={input}
          label={tf('name')}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          data-autofocus
          data-testid="name-input"
        />
        <Group justify="flex-end" mt="lg">
          <Button variant="default" onClick={props.onClose}>
            {t('cancel')}
          </Button>
          <Button type="submit" loading={busy} data-testid="name-submit">
            {props.submitLabel}
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
