import { Anchor, Breadcrumbs as Trail, Text } from '@mantine/core';
import { HardDrive } from 'lucide-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { folderRoute, segments } from '../ui/paths';

/** Home › a › b, each a link but the last. */
export function Breadcrumbs({ path }: { path: string }) {
  const { t } = useTranslation('files');
  const parts = segments(path);
  const crumbs = [{ name: t('home'), path: '/' }];
  parts.forEach((name, i) => crumbs.push({ name, path: `/${parts.slice(0, i + 1).join('/')}` }));
  return (
    <Trail data-testid="breadcrumbs" separatorMargin={4} style={{ flexWrap: 'wrap', minWidth: 0 }}>
      {crumbs.map((crumb, i) =>
        i === crumbs.length - 1 ? (
          <Text key={crumb.path} fw={600} size="sm" truncate="end" maw={260}>
            {i === 0 ? <HardDrive size={14} style={{ verticalAlign: -2, marginRight: 4 }} /> : null}
            {crumb.name}
          </Text>
        ) : (
          <Anchor
            key={crumb.path}
            component={Link}
            to={folderRoute(crumb.path)}
            size="sm"
            maw={200}
            truncate="end"
          >
            {i === 0 ? <HardDrive size={14} style={{ verticalAlign: -2, marginRight: 4 }} /> : null}
            {crumb.name}
          </Anchor>
        ),
      )}
    </Trail>
  );
}
