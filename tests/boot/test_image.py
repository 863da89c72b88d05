"""The flash image's compressed boot code (docs/architecture.md, "Boot code
in RAM").

- build/mmuon.bin holds the ELF's runtime code (.rt_code) and boot code
  (.boot, .boot_rodata) as two lz4 legacy frames from __packed_load, and
  nothing after them: `lz4 -d` gives back the ELF's bytes exactly;
- an image whose frame is cut short, or whose frame is not one, stops at
  boot with mmuon's message and a power-off: never a jump into garbage.
  (Without a checksum, a frame with other bytes changed may decode to
  other code; the build is what vouches for the image's contents.)
"""

from __future__ import annotations

import re
import subprocess

import pytest

import qemu

CROSS = "aarch64-linux-gnu-"
ELF = qemu.FIRMWARE.with_suffix(".elf")
TIMEOUT = 20
MESSAGE = (r"the {} code at 0x[0-9a-f]+ in flash does not decompress to its \d+ "
           r"bytes: a truncated or damaged mmuon image")
CRASH_DUMP = re.compile(r"synchronous exception|SError|exception at EL|ESR\s+0x")


def symbol(name: str) -> int:
    out = subprocess.run([CROSS + "nm", str(ELF)], check=True, capture_output=True,
                         text=True).stdout
    return int(re.search(rf"^([0-9a-f]+) \w {name}$", out, re.M)[1], 16)


def elf_bytes(*sections: str) -> bytes:
    """Sections of the ELF, as linked."""
    out = qemu.BUILD / "image-test" / "raw.bin"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([CROSS + "objcopy", "-O", "binary", *(f"-j{s}" for s in sections),
                    str(ELF), str(out)], check=True)
    return out.read_bytes()


def unpack(frames: bytes) -> list[bytes]:
    """The frames one after the other (lz4 -d decodes concatenated frames
    as one stream, so each is cut out by its block sizes)."""
    out, at = [], 0
    while at < len(frames):
        assert frames[at:at + 4] == b"\x02\x21\x4c\x18", f"no lz4 legacy frame at +{at}"
        end = at + 4
        # One block each (the code is far below the legacy frame's 8 MiB).
        end += 4 + int.from_bytes(frames[end:end + 4], "little")
        out.append(subprocess.run(["lz4", "-d", "-c"], input=frames[at:end], check=True,
                                  capture_output=True).stdout)
        at = end
    return out


def test_image_holds_the_code_compressed(firmware):
    image = firmware.read_bytes()
    runtime, boot = unpack(image[symbol("__packed_load"):])
    assert runtime == elf_bytes(".rt_code")
    assert boot == elf_bytes(".boot", ".boot_rodata")
    assert len(boot) == symbol("__boot_end") - symbol("__boot_start")
    # Not blind: there is code, and it is stored smaller.
    assert len(boot) > 32 << 10
    assert len(image) - symbol("__packed_load") < len(runtime) + len(boot)


@pytest.mark.parametrize("damage,part", [("cut short", "boot"), ("no frame", "runtime")])
def test_damaged_code_stops_with_a_message(boot, firmware, tmp_path, damage, part):
    image = bytearray(firmware.read_bytes())
    load = symbol("__packed_load")
    if damage == "cut short":  # in the boot code's frame, the larger
        image = image[:len(image) - (len(image) - load) // 4]
    else:
        image[load:load + 4] = b"\x00\x00\x00\x00"
    bad = tmp_path / "mmuon.bin"
    bad.write_bytes(image)
    b = boot(firmware=bad, mem="256M", timeout=TIMEOUT)
    m = re.search(r"^mmuon: fatal: (.*)$", b.output, re.M)
    assert m and re.fullmatch(MESSAGE.format(part), m[1]), b.describe()
    assert "mmuon: powering off" in b.output, b.describe()
    assert not b.timed_out and b.returncode == 0, b.describe()
    assert not CRASH_DUMP.search(b.output), b.describe()
