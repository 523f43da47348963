// An EKS error as the simulator returns it: HTTP status, the error name that goes in `x-amzn-errortype`, and the
// message (the SDK reads it from the body). Names and statuses follow botocore's EKS model (eks-execution.md §1).
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly resource: { clusterName?: string; nodegroupName?: string; addonName?: string } = {},
  ) {
    super(message);
    this.name = errorType;
  }
}

export const invalidParameter = (message: string, resource?: SimulatorError['resource']) =>
  new SimulatorError(400, 'InvalidParameterException', message, resource);
export const invalidRequest = (message: string, resource?: SimulatorError['resource']) =>
  new SimulatorError(400, 'InvalidRequestException', message, resource);
export const invalidState = (message: string, resource?: SimulatorError['resource']) =>
  new SimulatorError(400, 'InvalidStateException', message, resource);
export const notFound = (message: string, resource?: SimulatorError['resource']) =>
  new SimulatorError(404, 'ResourceNotFoundException', message, resource);
export const inUse = (message: string, resource?: SimulatorError['resource']) =>
  new SimulatorError(409, 'ResourceInUseException', message, resource);
