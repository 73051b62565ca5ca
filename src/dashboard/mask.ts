// privacyProtection: token IDs and end-user addresses are masked here, on the server, before any
// page is rendered; the database keeps them whole. A masked value keeps just enough to tell rows
// apart at a glance and never enough to find the person.

export function maskTokenId(id: string | null, on: boolean): string | null {
  if (!on || id === null) return id;
  return `${id.slice(0, 2)}••••••`;
}

export function maskIp(ip: string | null, on: boolean): string | null {
  if (!on || ip === null) return ip;
  const v4 = ip.split('.');
  if (v4.length === 4) return `${v4[0]}.${v4[1]}.•.•`;
  return `${ip.split(':').slice(0, 2).join(':')}:••••`;
}
