"""Runs moto's server (python -m moto.server) after correcting where moto 5.2.1 answers differently
from AWS in ways the lvs tests depend on. Each correction makes moto do what the AWS API reference
says; none of them makes lvs's job easier than AWS does. Usage: moto-launcher.py -H HOST -p PORT
(LVS_MOTO_KEEP=name,... leaves the named corrections out).

Deviations corrected (moto 5.2.1):

1. Lambda FunctionConfiguration.VpcConfig.VpcId is the constant "vpc-123abc". AWS returns the ID of
   the VPC the function's subnets belong to (and "" when the function has no subnets).
2. Lambda drops KMSKeyArn: CreateFunction does not store it and no FunctionConfiguration carries it.
   AWS returns KMSKeyArn whenever a customer-managed key encrypts the environment.
3. Lambda UpdateFunctionConfiguration ignores KMSKeyArn and TracingConfig (AWS applies both).
4. EC2 ModifyVpcEndpoint AddRouteTableIds / RemoveRouteTableIds change the endpoint's list only.
   For a gateway endpoint AWS also adds (removes) the route whose DestinationPrefixListId is the
   service's prefix list and whose GatewayId is the endpoint, as CreateVpcEndpoint already does in moto.
5. Lambda AddPermission keeps FunctionUrlAuthType and InvokedViaFunctionUrl as raw statement fields.
   AWS turns them into conditions: {"StringEquals": {"lambda:FunctionUrlAuthType": ...}} and
   {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}} (what the console writes for a public URL).
6. KMS EnableKey, DisableKey, CancelKeyDeletion and ScheduleKeyDeletion fail with a 500 (KeyError)
   when KeyId is a key ARN. AWS accepts a key ID or a key ARN for all four.
7. KMS: the AWS managed keys moto creates on first use of a reserved alias (alias/aws/lambda…) report
   KeyManager CUSTOMER. AWS reports KeyManager AWS for them.
"""

import json
import os
import sys
import threading
import time

from moto.awslambda import models as lambda_models
from moto.awslambda import policy as lambda_policy
from moto.iam import models as iam_models
from moto.ec2.models import vpcs as ec2_vpcs
from moto.ec2.models import ec2_backends
from moto.kms import models as kms_models

# Speed, not behaviour: with MOTO_IAM_LOAD_MANAGED_POLICIES, moto parses its ~1,300 AWS managed
# policies into every IAM backend it creates or resets (about 2 s each time). The tests only attach
# these, so only these are loaded; each keeps moto's copy of AWS's document and default version.
MANAGED_POLICIES = (
    "AWSLambdaVPCAccessExecutionRole",
    "AWSLambdaBasicExecutionRole",
    "AWSXRayDaemonWriteAccess",
    "AdministratorAccess",
    "PowerUserAccess",
    "IAMFullAccess",
    "AmazonS3FullAccess",
)
_all_managed = json.loads(iam_models.aws_managed_policies_data)
iam_models.aws_managed_policies_data = json.dumps({name: _all_managed[name] for name in MANAGED_POLICIES})

LambdaFunction = lambda_models.LambdaFunction


def _vpc_config(self):
    if not self._vpc_config:
        return None
    config = dict(self._vpc_config)
    subnet_ids = config.get("SubnetIds") or []
    config.setdefault("SecurityGroupIds", [])
    config["SubnetIds"] = subnet_ids
    vpc_id = ""
    if subnet_ids:
        backend = ec2_backends[self.account_id][self.region]
        try:
            vpc_id = backend.get_subnet(subnet_ids[0]).vpc_id
        except Exception:  # an unknown subnet: AWS would have refused it at create time
            vpc_id = ""
    config["VpcId"] = vpc_id
    return config


LambdaFunction.vpc_config = property(_vpc_config)

_original_init = LambdaFunction.__init__


def _init(self, account_id, spec, region, version=1):
    _original_init(self, account_id, spec, region, version)
    self.kms_key_arn = spec.get("KMSKeyArn") or None


LambdaFunction.__init__ = _init

_original_get_configuration = LambdaFunction.get_configuration


def _get_configuration(self, on_create=False):
    config = _original_get_configuration(self, on_create)
    if getattr(self, "kms_key_arn", None):
        config["KMSKeyArn"] = self.kms_key_arn
    return config


LambdaFunction.get_configuration = _get_configuration

_original_update_configuration = LambdaFunction.update_configuration


def _update_configuration(self, config_updates):
    for key, value in config_updates.items():
        if key == "KMSKeyArn":
            self.kms_key_arn = value or None
        elif key == "TracingConfig":
            self.tracing_config = {"Mode": (value or {}).get("Mode") or "PassThrough"}
    return _original_update_configuration(self, config_updates)


LambdaFunction.update_configuration = _update_configuration

_original_decode_policy = lambda_policy.Policy.decode_policy


def _decode_policy(self, obj):
    auth_type = obj.pop("FunctionUrlAuthType", None)
    via_url = obj.pop("InvokedViaFunctionUrl", None)
    policy = _original_decode_policy(self, obj)
    statement = policy.statements[0]
    if auth_type:
        statement.setdefault("Condition", {}).setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
    if via_url in (True, "true", "True"):
        statement.setdefault("Condition", {}).setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = "true"
    return policy


lambda_policy.Policy.decode_policy = _decode_policy

_original_modify_vpc_endpoint = ec2_vpcs.VPCBackend.modify_vpc_endpoint


def _modify_vpc_endpoint(
    self,
    vpc_id,
    policy_doc,
    add_subnets,
    remove_subnets,
    remove_route_tables,
    add_route_tables,
    add_security_groups,
    remove_security_groups,
):
    endpoint = self.describe_vpc_endpoints(vpc_end_point_ids=[vpc_id])[0]
    before = list(endpoint.route_table_ids or [])
    _original_modify_vpc_endpoint(
        self,
        vpc_id,
        policy_doc,
        add_subnets,
        remove_subnets,
        remove_route_tables,
        add_route_tables,
        add_security_groups,
        remove_security_groups,
    )
    prefix_list = getattr(endpoint, "destination_prefix_list_id", None)
    if prefix_list:
        for table in add_route_tables or []:
            if table not in before:
                self.create_route(table, None, gateway_id=endpoint.id, destination_prefix_list_id=prefix_list)
        for table in remove_route_tables or []:
            if table in before:
                try:
                    self.delete_route(table, prefix_list)
                except Exception:  # the route is gone already
                    pass


ec2_vpcs.VPCBackend.modify_vpc_endpoint = _modify_vpc_endpoint

def _by_key_id(method):
    def wrapper(self, key_id, *args, **kwargs):
        return method(self, self.get_key_id(key_id), *args, **kwargs)

    return wrapper


# moto.test.ts keeps this deviation in one test (LVS_MOTO_KEEP=kms-key-arn) to show how lvs fix
# --apply handles an endpoint that answers a write with a 500 and an HTML page.
if "kms-key-arn" not in os.environ.get("LVS_MOTO_KEEP", "").split(","):
    for _name in ("enable_key", "disable_key", "cancel_key_deletion", "schedule_key_deletion"):
        setattr(kms_models.KmsBackend, _name, _by_key_id(getattr(kms_models.KmsBackend, _name)))

_original_generate_default_keys = kms_models.KmsBackend._generate_default_keys


def _generate_default_keys(self, alias_name):
    key_id = _original_generate_default_keys(self, alias_name)
    if key_id is not None:
        self.keys[key_id].key_manager = "AWS"
    return key_id


kms_models.KmsBackend._generate_default_keys = _generate_default_keys

def _exit_with_parent():
    """Never outlive the test process: exit once it is gone (even if it was killed outright)."""
    parent = os.getppid()
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


if __name__ == "__main__":
    from moto.server import main

    threading.Thread(target=_exit_with_parent, daemon=True).start()
    main(sys.argv[1:])
