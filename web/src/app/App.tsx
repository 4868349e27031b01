import { Navigate, Route, Routes } from 'react-router';
import { AdminPage } from '../admin/AdminPage';
import { LoginPage } from '../auth/LoginPage';
import { SetupPage } from '../auth/SetupPage';
import { FilesPage } from '../files/FilesPage';
import { SearchPage } from '../files/SearchPage';
import { SettingsPage } from '../settings/SettingsPage';
import { MySharesPage } from '../shares/MySharesPage';
import { PublicSharePage } from '../shares/PublicSharePage';
import { TrashPage } from '../trash/TrashPage';
import { RequireUser } from './RequireUser';
import { Shell } from './Shell';

export function App() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/setup" element={<SetupPage />} />
      <Route path="/s/:token/*" element={<PublicSharePage />} />
      <Route
        element={
          <RequireUser>
            <Shell />
          </RequireUser>
        }
      >
        <Route path="/files/*" element={<FilesPage />} />
        <Route path="/search" element={<SearchPage />} />
        <Route path="/trash" element={<TrashPage />} />
        <Route path="/shares" element={<MySharesPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route
          path="/admin"
          element={
            <RequireUser admin>
              <AdminPage />
            </RequireUser>
          }
        />
      </Route>
      <Route path="*" element={<Navigate to="/files" replace />} />
    </Routes>
  );
}
