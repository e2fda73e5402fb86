#!/usr/bin/env python3
"""Writes a large tenant snapshot and a configuration for the directory benchmark.

directory_scale_gen.py OUT_DIR GUESTS NEW_GUESTS GROUPS

OUT_DIR/seed.snapshot.json holds GUESTS accepted guests spread over 10 partner
domains, GROUPS security groups, and each guest as a member of its partner's
group. OUT_DIR/config/ declares every one of them (so the plan has nothing to
do for them) plus NEW_GUESTS guests that are not in the tenant yet, each in two
groups: apply then sends NEW_GUESTS invitations and 2 * NEW_GUESTS member adds.
"""
import json
import os
import sys

TENANT = "11111111-1111-1111-1111-111111111111"
PARTNERS = 10


def guid(kind, n):
    return "%08x-0000-4000-8000-%012x" % (kind, n)


def main():
    out, guests, new_guests, groups = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    groups = max(groups, PARTNERS)
    os.makedirs(os.path.join(out, "config"), exist_ok=True)
    group_names = ["partner-%02d-guests" % p for p in range(PARTNERS)]
    group_names += ["project-%02d" % g for g in range(groups - PARTNERS)]
    group_ids = {name: guid(2, i) for i, name in enumerate(group_names)}
    members = {name: [] for name in group_names}
    users = []
    declared = [[] for _ in range(PARTNERS)]
    for n in range(guests):
        p = n % PARTNERS
        email = "guest%06d@partner%02d.example" % (n, p)
        uid = guid(1, n)
        users.append({
            "id": uid, "displayName": "Guest %d" % n, "mail": email, "otherMails": [email],
            "userPrincipalName": email.replace("@", "_") + "#EXT#@hostcorp.onmicrosoft.com",
            "userType": "Guest", "externalUserState": "Accepted",
            "externalUserStateChangeDateTime": "2026-01-01T00:00:00Z",
            "creationType": "Invitation", "createdDateTime": "2026-01-01T00:00:00Z",
            "accountEnabled": True,
        })
        members[group_names[p]].append(uid)
        declared[p].append((email, "Guest %d" % n, []))
    for n in range(new_guests):
        p = n % PARTNERS
        email = "new%06d@partner%02d.example" % (n, p)
        extra = group_names[PARTNERS + n % (groups - PARTNERS)] if groups > PARTNERS else None
        declared[p].append((email, "New %d" % n, [extra] if extra else []))
    snapshot = {
        "format": "b2bctl-snapshot/1", "tenantId": TENANT,
        "defaultDomain": "hostcorp.onmicrosoft.com", "users": users,
        "groups": [{"id": group_ids[name], "displayName": name, "description": name,
                    "securityEnabled": True, "mailEnabled": False,
                    "mailNickname": name, "members": members[name]} for name in group_names],
    }
    with open(os.path.join(out, "seed.snapshot.json"), "w") as f:
        json.dump(snapshot, f)
    with open(os.path.join(out, "config", "tenant.yaml"), "w") as f:
        f.write("tenant:\n  id: %s\ninvitations:\n  sendEmail: false\n" % TENANT)
        f.write("groups:\n")
        for name in group_names:
            f.write("  - name: %s\n    description: %s\n" % (name, name))
    for p in range(PARTNERS):
        with open(os.path.join(out, "config", "partner%02d.yaml" % p), "w") as f:
            f.write("partners:\n  - name: partner%02d\n    domains: [partner%02d.example]\n"
                    "    guestGroups: [%s]\n    guests:\n" % (p, p, group_names[p]))
            for email, name, extra in declared[p]:
                f.write("      - email: %s\n        displayName: %s\n" % (email, name))
                if extra:
                    f.write("        groups: [%s]\n" % ", ".join(extra))


if __name__ == "__main__":
    main()
