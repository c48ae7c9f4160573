/**
 * A few common EC2 sizes to run load from, their vCPUs and memory as AWS's instance-type
 * specifications list them ("Specifications for Amazon EC2 compute optimized instances" and
 * "... general purpose instances", Amazon EC2 Instance Types guide): compute-optimized c7i at
 * 2 GiB a vCPU, and a general-purpose m7i at 4.
 */
export interface InstanceSize {
  name: string;
  vcpus: number;
  memoryGiB: number;
}

export const INSTANCE_SIZES: readonly InstanceSize[] = [
  { name: 'c7i.large', vcpus: 2, memoryGiB: 4 },
  { name: 'c7i.xlarge', vcpus: 4, memoryGiB: 8 },
  { name: 'c7i.2xlarge', vcpus: 8, memoryGiB: 16 },
  { name: 'm7i.xlarge', vcpus: 4, memoryGiB: 16 },
];
