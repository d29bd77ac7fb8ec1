import type { ActionFunctionArgs } from '@remix-run/node';
import { redirect } from '@remix-run/node';
import { LogoutDocument, type LogoutMutation, type LogoutMutationVariables } from '~/gql/graphql';
import { createApiClient } from '~/lib/api.server';
import { isCrossSiteRequest } from '~/lib/origin.server';
import { destroySessionHeader, getToken } from '~/lib/session.server';

/** Signs out: revokes the API session (best effort) and clears the cookie. POST only, from the dashboard's own pages. */
export async function action({ request }: ActionFunctionArgs) {
  if (isCrossSiteRequest(request)) throw new Response('Cross-site requests are not allowed.', { status: 403 });
  const token = await getToken(request);
  if (token) {
    await createApiClient(token)
      .mutation<LogoutMutation, LogoutMutationVariables>(LogoutDocument, {})
      .toPromise()
      .catch(() => undefined);
  }
  return redirect('/login?signedOut=1', { headers: { 'Set-Cookie': await destroySessionHeader(request) } });
}

export const loader = () => redirect('/orders');
