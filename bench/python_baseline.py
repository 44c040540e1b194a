"""The Python version's user loop, measured on this machine as the baseline of `make bench`.

It mirrors what the original users service did per record (Faker cs_CZ, json.dumps) and
prints one line of JSON with users per second, so the Rust figures can be reported as
ratios against a baseline measured in the same run.
"""
import json
import sys
import time

from faker import Faker


def users(n):
    fake = Faker("cs_CZ")
    Faker.seed(42)
    out = []
    start = time.perf_counter()
    for i in range(n):
        user = {
            "id": i,
            "name": fake.name(),
            "city": fake.city(),
            "street_address": fake.street_address(),
            "phone_number": fake.phone_number(),
            "birth_number": fake.birth_number(),
            "user_name": fake.user_name(),
            "administrative_unit": fake.administrative_unit(),
            "description": fake.paragraph(nb_sentences=5),
            "jobs": [fake.job() for _ in range(3)],
        }
        out.append(json.dumps(user, ensure_ascii=False))
    return n / (time.perf_counter() - start)


if __name__ == "__main__":
    n_users = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    print(json.dumps({"users_per_s": round(users(n_users))}))
