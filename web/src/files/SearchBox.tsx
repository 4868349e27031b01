import { TextInput } from '@mantine/core';
import { Search } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate, useSearchParams } from 'react-router';

/** The header's search: the whole drive by name, results on /search. */
export function SearchBox() {
  const { t } = useTranslation('files');
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const [text, setText] = useState('');
  useEffect(() => {
    if (location.pathname === '/search') setText(params.get('q') ?? '');
  }, [location.pathname, params]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
  };
  return (
    <form onSubmit={submit} style={{ flex: 1, maxWidth: 480, minWidth: 0 }} role="search">
      <TextInput
        size="sm"
        radius="xl"
        placeholder={t('searchPlaceholder')}
        leftSection={<Search size={16} />}
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        aria-label={t('search')}
        data-testid="search-input"
      />
    </form>
  );
}
