# -*- coding: utf-8 -*-
# The Python signature example of the TP-LINK TUMS open API document
# (seeds/001_f17da8ae0b6e7308.txt, section 1.2.2.3 "代码示例", Python), kept as
# printed there. Adapted only so that it runs over fixed inputs instead of
# time.time()/uuid4() and prints the results as JSON for sign_vectors.json:
#   - ak, sk, terminal_id, timestamp, nonce, method, path and payload come from
#     the VECTORS list below instead of being generated;
#   - the payload is given as the exact string that is sent (the document
#     builds it with json.dumps(dict), which is kept for the first vector);
#   - an empty body is replaced by default_empty_payload ("{}"), as the
#     document says (the example defines the constant but never uses it);
#   - the prints of the example are collected into a dict instead.
# Standard library only (hashlib, hmac, json), as in the document.
import hashlib, hmac, json

default_empty_payload = "{}"
algorithm = "HmacSHA256"


# 计算签名摘要函数 (unchanged from the document)
def sign(key, msg):
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def run(ak, sk, terminal_id, timestamp, nonce, method, path, payload):
    if payload == "":
        payload = default_empty_payload
    # ************* 步骤 2：拼接待签名字符串 *************
    hashed_request_payload = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    credential_scope = method + " " + path + " " + "tp-link_request"
    string_to_sign = (algorithm + "\n" +
                      str(timestamp) + "\n" +
                      credential_scope + "\n" +
                      hashed_request_payload)
    # ************* 步骤 3：计算签名 *************
    secret_date = sign(sk.encode("utf-8"), str(timestamp))
    secret_service = sign(secret_date, path)
    secret_signing = sign(secret_service, "tp-link")
    signature = hmac.new(secret_signing, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    # ************* 步骤 4：拼接 Authorization *************
    authorization = ("Timestamp=" + str(timestamp) + "," +
                     "Nonce=" + nonce + "," +
                     "AccessKey=" + ak + "," +
                     "Signature=" + signature + "," +
                     "TerminalId=" + terminal_id)
    return {
        "hashed_payload": hashed_request_payload,
        "string_to_sign": string_to_sign,
        "signature": signature,
        "authorization": authorization,
    }


VECTORS = [
    {
        "name": "document example payload (json.dumps)",
        "ak": "ZDkxZmIyNTc2NTg4NTg2ODcxNDE3NTI3YzMyNWU0",
        "sk": "8d7e6e7dc41448e881a847240cb5515b",
        "terminal_id": "fa5d13475934410b9398a95be95f7079",
        "timestamp": 1706701924,
        "nonce": "1407447e996cf697488957375fd03d98",
        "method": "POST",
        "path": "/tums/open/resource/v1/getPagedRootRegions",
        "payload": json.dumps({"start": 0, "limit": 10, "needDevNum": 0}),
    },
    {
        "name": "empty body signs {}",
        "ak": "ZWQzMDdhMjU4MzY1OGNiNA==",
        "sk": "0123456789abcdef0123456789abcdef",
        "terminal_id": "lubo-box-01",
        "timestamp": 1764237600,
        "nonce": "00000000000000000000000000000001",
        "method": "POST",
        "path": "/vms/open/webServer/v1/requestRelayUrl",
        "payload": "",
    },
    {
        "name": "JSON body with UTF-8",
        "ak": "AKexample",
        "sk": "sk-with-\u4e2d\u6587",
        "terminal_id": "0466ef9b1a31432e9faa74947f8feb70",
        "timestamp": 1709108242,
        "nonce": "75601972c7214ee3be4915f18479fde1",
        "method": "POST",
        "path": "/vms/open/webServer/v1/requestStreamUrl",
        "payload": "{\"qrCode\":\"HGD6784KOFV895J08\",\"channelId\":1,\"clientType\":\"\u5f55\u64ad lubo\",\"streamType\":\"video\",\"resolution\":2}",
    },
    {
        "name": "path with query (signed as given)",
        "ak": "AKexample",
        "sk": "8d7e6e7dc41448e881a847240cb5515b",
        "terminal_id": "0466ef9b1a31432e9faa74947f8feb70",
        "timestamp": 1709111842,
        "nonce": "d79ae4d73cf149fcbdc95a8a33e10b45",
        "method": "POST",
        "path": "/vms/open/webServer/v1/requestRelayUrl?token=04727-e3NhbHQgPSAzODMwNjk0ODQ7Y2xpZW50-d79ae4d73cf149fcbdc95a8a33e10b45&devInfoId=576620008414331760",
        "payload": "{}",
    },
]

if __name__ == "__main__":
    out = []
    for v in VECTORS:
        r = run(v["ak"], v["sk"], v["terminal_id"], v["timestamp"], v["nonce"],
                v["method"], v["path"], v["payload"])
        item = dict(v)
        item.update(r)
        out.append(item)
    print(json.dumps(out, ensure_ascii=False, indent=2))
