"""Rebuild src/musicflow/demo/my_spotify_data.zip from public data in ../shared/data (see PROVENANCE.txt).

Personal fields (IP address, platform, country, user name, user agent) are removed before bundling.
Usage: python scripts/build_demo_export.py ../shared/data/histories/both/mungeraiden
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

PERSONAL = {
    "ip_addr",
    "ip_addr_decrypted",
    "platform",
    "conn_country",
    "username",
    "user_agent_decrypted",
}
TARGET = Path(__file__).resolve().parents[1] / "src/musicflow/demo/my_spotify_data.zip"


def folder_for(name: str) -> str:
    if name.startswith("StreamingHistory"):
        return "Spotify Account Data"
    return "Spotify Extended Streaming History"


def main(source: Path) -> None:
    with zipfile.ZipFile(TARGET, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(source.glob("*.json")):
            rows = json.loads(path.read_text(encoding="utf-8"))
            cleaned = [{k: v for k, v in row.items() if k not in PERSONAL} for row in rows]
            text = json.dumps(cleaned, ensure_ascii=False, indent=2)
            archive.writestr(f"{folder_for(path.name)}/{path.name}", text)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
