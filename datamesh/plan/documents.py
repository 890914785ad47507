"""IAM, bucket, access point and KMS policy documents, as pure functions.

Every document's size is independent of how many grants exist (see docs/resources.md): a
product's bucket policy delegates to its access points, each access point names one consumer,
and a consumer role reads through its own access points by one ARN pattern. A producer role
writes its domain's products by one bucket-name pattern too; only products whose bucket name was
cut before the domain's prefix ended add to it. A retired product is closed by its own bucket
policy (retained on delete), not by the producer's.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

Document = dict[str, Any]

READ_OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion"]
READ_ACTIONS = [*READ_OBJECT_ACTIONS, "s3:ListBucket"]
"""Read-only: what a grant gives. Never s3:* on data."""
WRITE_OBJECT_ACTIONS = [
    "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
    "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
]
BUCKET_LEVEL_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
DATA_ACTIONS = list(dict.fromkeys([*WRITE_OBJECT_ACTIONS, *BUCKET_LEVEL_ACTIONS, *READ_ACTIONS]))
"""Every S3 data action the mesh grants anyone (producers' write and list, grants' read)."""
KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def to_json(doc: Document) -> str:
    """Compact JSON, as measured against AWS size limits."""
    return json.dumps(doc, separators=(",", ":"))


def _doc(*statements: Document) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def bucket_arn(bucket: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:::{bucket}"


def access_point_arn(region: str, account: str, name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:s3:{region}:{account}:accesspoint/{name}"


def account_trust(account: str, partition: str = "aws") -> Document:
    """Trust the domain's own account: its administrators choose which workloads assume the role."""
    return _doc({
        "Sid": "DomainAccountAssumes",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "sts:AssumeRole",
    })


def bucket_policy(bucket: str, owner_account: str, retired: bool = False, deployer_arn: str | None = None,
                  partition: str = "aws") -> Document:
    """TLS only; read delegated to the owner's access points; for a retired product, no data access.

    The retired product's Deny names ``Principal: "*"`` and every data action the mesh grants
    anyone, so the producer role (whose bucket-name pattern still matches) and anyone else lose
    access. It lives in the bucket policy, which is retained on delete: it stays when the
    product's spec file is later removed. Bucket configuration actions are not denied (the
    deployer can un-retire), and lifecycle expiration is not subject to bucket policies.
    ``deployer_arn`` (the bootstrap deployer role, which has no object permission) is exempted:
    the aws provider reads a bucket with HeadBucket, which S3 authorises as ``s3:ListBucket``.
    """
    arn = bucket_arn(bucket, partition)
    statements: list[Document] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            # The one wildcard principal spec-v1 allows: access control is delegated to the
            # owner's own access points, each of which names exactly one consumer.
            "Sid": "DelegateReadToOwnAccessPoints",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": READ_ACTIONS,
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"StringEquals": {"s3:DataAccessPointAccount": owner_account}},
        },
    ]
    if retired:
        deny: Document = {
            "Sid": "DenyDataAccessRetired",
            "Effect": "Deny",
            "Principal": "*",
            "Action": DATA_ACTIONS,
            "Resource": [arn, f"{arn}/*"],
        }
        if deployer_arn is not None:
            deny["Condition"] = {"ArnNotEquals": {"aws:PrincipalArn": deployer_arn}}
        statements.append(deny)
    return _doc(*statements)


def access_point_policy(ap_arn: str, consumer_principal: str, until: date | None = None) -> Document:
    """Read for exactly one principal; with ``until``, AWS itself ends access after that day.

    The plan drops an expired grant at the next deploy; the ``aws:CurrentTime`` condition makes
    access end on time even if nobody deploys (``until`` is inclusive, in UTC).
    """
    statement: Document = {
        "Sid": "ReadForGrantedConsumer",
        "Effect": "Allow",
        "Principal": {"AWS": consumer_principal},
        "Action": READ_ACTIONS,
        "Resource": [ap_arn, f"{ap_arn}/object/*"],
    }
    if until is not None:
        end = (until + timedelta(days=1)).isoformat()
        statement["Condition"] = {"DateLessThan": {"aws:CurrentTime": f"{end}T00:00:00Z"}}
    return _doc(statement)


def key_policy(account: str, partition: str = "aws") -> Document:
    """AWS's default key policy: the account administers the key through IAM.

    Producers use the key through their identity policy; consumers through one KMS grant each,
    so the key policy never grows with grants.
    """
    return _doc({
        "Sid": "AccountAdministersKeyThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    })


def producer_policy(domain_prefix: str, account: str, buckets: list[str], key_arn: str,
                    partition: str = "aws") -> Document:
    """Write the domain's live products, in the domain's own account only; use its key.

    ``domain_prefix`` is ``<mesh>-<env>--<domain>--`` (every uncut bucket name of the domain
    starts with it, and no other domain's does); ``buckets`` are the names of the domain's
    non-retired products. Constant size however many products, live or retired: one ARN
    pattern covers every bucket named with the prefix, and only buckets whose name was cut
    before the prefix ended are listed. The ``aws:ResourceAccount`` condition keeps the pattern
    from matching a look-alike bucket anyone may create in another account (writing there would
    move data out of the mesh). The pattern matches retired products too: their bucket policy
    denies every data action (``bucket_policy(retired=True)``), and outlives their spec file.
    """
    pattern = bucket_arn(f"{domain_prefix}*", partition)
    covered = any(b.startswith(domain_prefix) for b in buckets)
    named = [bucket_arn(b, partition) for b in buckets if not b.startswith(domain_prefix)]
    arns = [pattern, *named] if covered else named
    in_account = {"StringEquals": {"aws:ResourceAccount": account}}
    statements: list[Document] = []
    if arns:
        statements.append({
            "Sid": "WriteDomainProducts",
            "Effect": "Allow",
            "Action": WRITE_OBJECT_ACTIONS,
            "Resource": [f"{arn}/*" for arn in arns],
            "Condition": in_account,
        })
        statements.append({
            "Sid": "ListDomainProducts",
            "Effect": "Allow",
            "Action": BUCKET_LEVEL_ACTIONS,
            "Resource": arns,
            "Condition": in_account,
        })
    statements.append({
        "Sid": "UseDomainKey",
        "Effect": "Allow",
        "Action": KEY_USE_ACTIONS,
        "Resource": key_arn,
    })
    return _doc(*statements)


def consumer_policy(access_point_prefix: str, mesh_bucket_prefix: str, partition: str = "aws") -> Document:
    """Read through the consumer's own access points; decrypt only via S3 for mesh buckets.

    Constant size: one ARN pattern covers every access point granted to this consumer, and the
    producer side (access point policy + KMS grant) decides which of them exist.
    """
    ap = f"arn:{partition}:s3:*:*:accesspoint/{access_point_prefix}*"
    return _doc(
        {
            "Sid": "ReadThroughGrantedAccessPoints",
            "Effect": "Allow",
            "Action": READ_ACTIONS,
            "Resource": [ap, f"{ap}/object/*"],
        },
        {
            "Sid": "DecryptGrantedProductsViaS3",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": f"arn:{partition}:kms:*:*:key/*",
            "Condition": {
                "StringLike": {
                    "kms:ViaService": "s3.*.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": f"arn:{partition}:s3:::{mesh_bucket_prefix}*",
                }
            },
        },
    )
