#!/usr/bin/env bash
# Installs Calico (manifest install) into the kind cluster netspec just created.
# netspec runs this as `--cni` with KUBECONFIG, NETSPEC_CLUSTER_NAME and NETSPEC_IP_FAMILY set,
# then waits for the nodes and Calico's pods to be Ready.
set -euo pipefail
CALICO_VERSION="${CALICO_VERSION:-v3.29.3}"
manifest="$(mktemp)"
curl -fsSL "https://raw.githubusercontent.com/projectcalico/calico/${CALICO_VERSION}/manifests/calico.yaml" -o "$manifest"
if [ "${NETSPEC_IP_FAMILY}" = "dual" ] || [ "${NETSPEC_IP_FAMILY}" = "ipv6" ]; then
  # Calico IPAM must hand out IPv6 addresses too.
  sed -i 's/"type": "calico-ipam"/"type": "calico-ipam", "assign_ipv4": "true", "assign_ipv6": "true"/' "$manifest"
fi
kubectl apply -f "$manifest"
if [ "${NETSPEC_IP_FAMILY}" = "dual" ] || [ "${NETSPEC_IP_FAMILY}" = "ipv6" ]; then
  kubectl -n kube-system set env daemonset/calico-node IP6=autodetect FELIX_IPV6SUPPORT=true \
    CALICO_IPV6POOL_CIDR=fd00:10:244::/56 CALICO_IPV6POOL_NAT_OUTGOING=true
fi
rm -f "$manifest"
