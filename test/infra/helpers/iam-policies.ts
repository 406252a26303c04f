import type { Template } from 'aws-cdk-lib/assertions';

/** The account and region the simulated requests run in. */
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': ACCOUNT,
  'AWS::Region': REGION,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** What `Fn::GetAtt [id, 'Arn']` returns for the resource types our policies point at; the logical id stands in for the name. */
const ARN_OF: Record<string, (id: string) => string> = {
  'AWS::DynamoDB::Table': (id) => `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`,
  'AWS::Logs::LogGroup': (id) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`,
  'AWS::Lambda::Function': (id) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`,
};

type Json = unknown;

/**
 * Resolves the intrinsics CDK emits in IAM policies (Ref to pseudo parameters, Fn::GetAtt Arn, Fn::Join)
 * into the concrete strings AWS would evaluate, for one fixed account and region.
 */
export function resolveIntrinsics(value: Json, template: Template): Json {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, template));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, Json>;
  if ('Ref' in object) {
    const ref = object.Ref as string;
    if (ref in PSEUDO) return PSEUDO[ref];
    throw new Error(`unresolved Ref ${ref}`);
  }
  if ('Fn::GetAtt' in object) {
    const [id, attribute] = object['Fn::GetAtt'] as [string, string];
    const type = (template.toJSON().Resources[id] as { Type: string } | undefined)?.Type;
    const arnOf = type ? ARN_OF[type] : undefined;
    if (attribute !== 'Arn' || !arnOf) throw new Error(`unresolved Fn::GetAtt ${id}.${attribute} (${type})`);
    return arnOf(id);
  }
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, Json[]];
    return parts.map((part) => resolveIntrinsics(part, template)).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item, template)]));
}

/** Every inline policy attached to the role with this logical id, resolved, in iam-simulate's identity-policy shape. */
export function identityPoliciesOf(template: Template, roleLogicalId: string): { name: string; policy: Json }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  const attached = Object.entries(policies).filter(([, resource]) =>
    ((resource.Properties?.Roles ?? []) as Json[]).some((role) => (role as { Ref?: string }).Ref === roleLogicalId),
  );
  if (attached.length === 0) throw new Error(`no policy is attached to ${roleLogicalId}`);
  return attached.map(([id, resource]) => ({ name: id, policy: resolveIntrinsics(resource.Properties.PolicyDocument, template) }));
}

/** ARN of a Command document in the simulated account and region. */
export function documentArn(name: string): string {
  return `arn:aws:ssm:${REGION}:${ACCOUNT}:document/${name}`;
}

export function instanceArn(id: string): string {
  return `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${id}`;
}
