"""Question-bank import speed: parsing (and checking) GIFT, Aiken and Moodle XML files.

Builds, in memory, a bank of --questions questions of mixed types in each format (GIFT with
repeated titles, the case that used to be quadratic), and a GIFT file of about 5 MB, then times
the parsers as `flask lms import-questions` and the authoring import page run them (file checks,
decoding, parsing, validating every question). Prints one line per file:

    file      questions      bytes   seconds   cpu seconds   questions/s

(wall-clock and CPU time of this process: on a shared machine the CPU time is the comparable
figure). Exit status 1 if a file has problems or the 5 MB GIFT file takes 10 CPU seconds or more.

Usage:
  .venv/bin/python bench/question_import.py [--questions 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Every text differs ({n}), so nothing is measured from a cache.
GIFT_BLOCKS = [
    "::Soal::[html]<p dir\\=\"ltr\">Apa ibu kota Indonesia? ({n})</p>{{\n"
    "\t=<p>Jakarta {n}</p>#<p>Benar.</p>\n\t~<p>Bandung {n}</p>\n\t~<p>Surabaya {n}</p>\n}}\n",
    "::Soal::Berapa nilai pi ({n})? {{#\n\t=%100%3.1415:0.0005#\n\t~#Salah {n}\n}}\n",
    "::Soal::Bumi itu bulat ({n}).{{TRUE#Salah.#Benar {n}.}}\n",
    "::Soal::Pasangkan ({n}) {{\n=DDC -> Dewey {n}\n=UDC -> Otlet\n= -> Ranganathan\n}}\n",
    "::Soal::Hewan terbaik ({n})? {{=Katak#Ya =%50%Kucing =%0%*#Salah}}\n",
    "// [id:esai-{n}] [tag:esai]\n::Soal::Ceritakan program {n} Anda. {{}}\n",
]
AIKEN_BLOCK = ("Soal {n}: apa kepanjangan TPBIS?\nA. Transformasi Perpustakaan Berbasis Inklusi "
               "Sosial\nB) Taman Pustaka\nC.Tim Pustakawan\nANSWER: A\n")
XML_QUESTION = """  <question type="multichoice">
    <name><text>Soal {n}</text></name>
    <questiontext format="html"><text><![CDATA[<p style="x">Apa ibu kota ({n})?</p>]]></text></questiontext>
    <generalfeedback format="html"><text></text></generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <idnumber></idnumber>
    <single>true</single>
    <shuffleanswers>true</shuffleanswers>
    <answer fraction="100" format="html"><text><![CDATA[<p>Jakarta {n}</p>]]></text>
      <feedback format="html"><text>Benar.</text></feedback></answer>
    <answer fraction="0" format="html"><text><![CDATA[<p>Bandung</p>]]></text>
      <feedback format="html"><text></text></feedback></answer>
  </question>
"""


def gift_bank(count: int) -> bytes:
    parts = ["$CATEGORY: $course$/top/Bank\n\n"]
    parts += [GIFT_BLOCKS[n % len(GIFT_BLOCKS)].format(n=n) + "\n" for n in range(count)]
    return "".join(parts).encode("utf-8")


def gift_of_size(size: int) -> bytes:
    one = gift_bank(600)
    return gift_bank(600 * size // len(one))


def aiken_bank(count: int) -> bytes:
    return "\n".join(AIKEN_BLOCK.format(n=n) for n in range(count)).encode("utf-8")


def xml_bank(count: int) -> bytes:
    body = "".join(XML_QUESTION.format(n=n) for n in range(count))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n{body}</quiz>\n'.encode()


def timed(fmt: str, data: bytes) -> tuple[int, float, float, int]:
    from lms.quizzes.services.bank import parse_bank

    started, cpu = time.perf_counter(), time.process_time()
    questions, problems, _media = parse_bank(data, fmt)
    return (len(questions), time.perf_counter() - started, time.process_time() - cpu,
            len(problems))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=20_000)
    args = parser.parse_args()
    n = args.questions
    files = [
        (f"GIFT, {n} questions", "gift", gift_bank(n)),
        (f"Aiken, {n} questions", "aiken", aiken_bank(n)),
        (f"Moodle XML, {n} questions", "moodle_xml", xml_bank(n)),
        ("GIFT, about 5 MB", "gift", gift_of_size(4_900_000)),
    ]
    failed = 0
    from lms.quizzes.services.bank import parse_bank

    parse_bank(b"warm-up? {T}", "gift")  # imports and the registry, not part of any file
    print(f"{'file':<28} {'questions':>10} {'bytes':>11} {'seconds':>9} {'cpu seconds':>12} "
          f"{'questions/s':>12}")
    for label, fmt, data in files:
        count, seconds, cpu, problems = timed(fmt, data)
        print(f"{label:<28} {count:>10} {len(data):>11} {seconds:>9.2f} {cpu:>12.2f} "
              f"{count / cpu if cpu else 0:>12.0f}")
        if problems:
            print(f"  {problems} problem(s): the bench file should have none", file=sys.stderr)
            failed = 1
        if "5 MB" in label and cpu >= 10:
            print("  the 5 MB file took 10 CPU seconds or more (the limit is 10 s)",
                  file=sys.stderr)
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
