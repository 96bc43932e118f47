import { type SimResponse } from './framework';
import {
  renderList,
  type KeliwebAddonRecord,
  type KeliwebListShape,
  type KeliwebService,
} from './keliweb-records';

// The two WHMCS reads the Keliweb simulator answers, as functions of what it holds: they change
// nothing, so they are kept apart from the cancel request and the automation it sets off (keliweb.ts).

/** WHMCS answers an unknown service id alike in the write and the reads: HTTP 200, `result: error`. */
export const SERVICE_NOT_FOUND = { status: 200, body: { result: 'error', message: 'Service ID Not Found' } };

export function getClientsAddons(
  addons: Iterable<KeliwebAddonRecord>,
  shape: KeliwebListShape,
  f: Record<string, string>,
): SimResponse {
  const ids = (f.serviceid ?? '').split(',').map((s) => s.trim());
  // ASSUMPTION: Keliweb's required serviceid, missing or not a list of ids, is answered as WHMCS
  // answers an unknown service (the documents name no other error for it).
  if (!ids.every((id) => /^\d+$/.test(id))) return SERVICE_NOT_FOUND;
  const wanted = new Set(ids.map(Number));
  const matches = [...addons].filter(
    (a) =>
      wanted.has(a.serviceid) &&
      (!f.addonid || String(a.addonid) === f.addonid) &&
      (!f.clientid || String(a.userid) === f.clientid),
  );
  return {
    status: 200,
    body: {
      result: 'success',
      serviceid: f.serviceid,
      clientid: f.clientid ?? '',
      ...renderList(shape, 'addons', 'addon', matches, { totalresults: matches.length }),
    },
  };
}

export function getClientsProducts(
  services: Iterable<KeliwebService>,
  shape: KeliwebListShape,
  f: Record<string, string>,
): SimResponse {
  // Every field is optional; WHMCS answers an unknown service with an empty list, not an error.
  const matches = [...services].filter(
    (s) => (!f.serviceid || String(s.id) === f.serviceid) && (!f.clientid || String(s.userid) === f.clientid),
  );
  const start = /^\d+$/.test(f.limitstart ?? '') ? Number(f.limitstart) : 0;
  const limit = /^\d+$/.test(f.limitnum ?? '') ? Number(f.limitnum) : 25;
  const page = matches.slice(start, start + limit).map(({ userid, ...s }) => ({ clientid: userid, ...s }));
  return {
    status: 200,
    body: {
      result: 'success',
      clientid: f.clientid ?? '',
      serviceid: f.serviceid ?? '',
      ...renderList(shape, 'products', 'product', page, {
        totalresults: matches.length,
        startnumber: start,
        numreturned: page.length,
      }),
    },
  };
}
