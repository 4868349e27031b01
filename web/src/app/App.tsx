import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from '../auth/LoginPage';
import { SetupPage } from '../auth/SetupPage';
import { FilesPage } from '../files/FilesPage';
import { RequireUser } from './RequireUser';
import { Shell } from './Shell';

// The file browser loads with the app; the other pages when first visited.
const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));
const SearchPage = lazy(() => import('../files/SearchPage').then((m) => ({ default: m.SearchPage })));
const SettingsPage = lazy(() =>
  import('../settings/SettingsPage').then((m) => ({ default: m.SettingsPage })),
);
const MySharesPage = lazy(() => import('../shares/MySharesPage').then((m) => ({ default: m.MySharesPage })));
const PublicSharePage = lazy(() =>
  import('../shares/PublicSharePage').then((m) => ({ default: m.PublicSharePage })),
);
const TrashPage = lazy(() => import('../trash/TrashPage').then((m) => ({ default: m.TrashPage })));

function Page({ children }: { children: ReactNode }) {
  return (
    <Suspense
      fallback={
        <Center mih="50dvh">
          <Loader />
        </Center>
      }
    >
      {children}
    </Suspense>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route
        path="/s/:token/*"
        element={
          <Page>
            <PublicSharePage />
          </Page>
        }
      />
      <Route
        element={
          <RequireUser>
            <Shell />
          </RequireUser>
        }
      >
        <Route path="/files/*" element={<FilesPage />} />
        <Route
          path="/search"
          element={
            <Page>
              <SearchPage />
            </Page>
          }
        />
        <Route
          path="/trash"
          element={
            <Page>
              <TrashPage />
            </Page>
          }
        />
        <Route
          path="/shares"
          element={
            <Page>
              <MySharesPage />
            </Page>
          }
        />
        <Route
          path="/settings"
          element={
            <Page>
              <SettingsPage />
            </Page>
          }
        />
        <Route
          path="/admin"
          element={
            <RequireUser admin>
              <Page>
                <AdminPage />
              </Page>
            </RequireUser>
          }
        />
      </Route>
      <Route path="*" element={<Navigate to="/files" replace />} />
    </Routes>
  );
}
