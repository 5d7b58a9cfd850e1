/**
 * One hop of the chain that explains a result: function -> subnet -> route table -> endpoint ->
 * bucket policy -> role. `observed` never carries an environment-variable value: the snapshot is
 * redacted before any check sees it.
 */
export interface EvidenceStep {
  resourceArn: string;
  field: string;
  observed: string;
  expected?: string;
  note?: string;
}
