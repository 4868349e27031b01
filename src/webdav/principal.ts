/** Who a WebDAV request acts as, once its Basic credentials were checked. */
export interface DavPrincipal {
  userId: number;
  username: string;
  /** Every write method is refused. */
  readOnly: boolean;
  /** The drive path ('/' or a folder such as '/Photos') that the mount shows as its root. */
  root: string;
}
