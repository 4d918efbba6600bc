// Reads rendered manifests (kubectl kustomize infra/k8s/overlays/local) on stdin and checks each object against
// the Kubernetes API's JSON schema for its apiVersion and kind (kubernetes-models: types, required fields,
// enums), then the suite's own rules. Prints every problem; exits 1 if there is any.
import { parseAllDocuments } from "yaml";

const text = await new Promise((resolve) => {
  let data = "";
  process.stdin.setEncoding("utf8").on("data", (chunk) => (data += chunk)).on("end", () => resolve(data));
});
const objects = parseAllDocuments(text).map((doc) => doc.toJS()).filter((o) => o);
// kustomize folds a long base64 value over lines; the API server's decoder skips line ends, so does this check.
for (const secret of objects.filter((o) => o.kind === "Secret" && o.data)) {
  for (const key of Object.keys(secret.data)) secret.data[key] = secret.data[key].replace(/\s/g, "");
}
const problems = [];
const name = (o) => `${o.kind}/${o.metadata?.name}`;

for (const object of objects) {
  let models;
  try {
    models = await import(`kubernetes-models/${object.apiVersion}`);
  } catch (e) {
    problems.push(`${name(object)}: unknown apiVersion ${object.apiVersion}`);
    continue;
  }
  const Model = models[object.kind];
  if (!Model) {
    problems.push(`${name(object)}: no kind ${object.kind} in ${object.apiVersion}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    problems.push(`${name(object)}: ${e.message}`);
  }
}

// The suite's rules: what the schemas cannot know.
const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
const members = workloads.filter((w) => w.metadata.labels?.["catalog-suite/cluster-member"] === "true");
for (const workload of members) {
  for (const container of workload.spec.template.spec.containers) {
    const where = `${name(workload)} container ${container.name}`;
    if (container.readinessProbe?.httpGet?.path !== "/ready") problems.push(`${where}: readiness must be GET /ready`);
    if (container.livenessProbe?.httpGet?.path !== "/health") problems.push(`${where}: liveness must be GET /health`);
    if (!container.resources?.requests?.cpu || !container.resources?.limits?.memory) {
      problems.push(`${where}: needs a CPU request and a memory limit`);
    }
    const env = new Map((container.env ?? []).map((e) => [e.name, e]));
    for (const required of ["CLUSTER_KUBERNETES_SERVICE_DNS", "CLUSTER_NAME", "GATEWAY_SECRET", "CLUSTER_KEYSTORE"]) {
      if (!env.has(required)) problems.push(`${where}: no ${required}`);
    }
    for (const secret of ["CLUSTER_NAME", "GATEWAY_SECRET", "CLUSTER_KEYSTORE_PASSWORD", "GATEWAY_API_KEYS", "PG_URL"]) {
      if (env.get(secret)?.value !== undefined) problems.push(`${where}: ${secret} must come from a Secret`);
    }
  }
}
const selects = (selector, workload) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => workload.spec.template.metadata.labels?.[k] === v);
for (const workload of members) {
  if (!objects.some((o) => o.kind === "PodDisruptionBudget" && selects(o.spec.selector, workload))) {
    problems.push(`${name(workload)}: no PodDisruptionBudget`);
  }
  if (workload.kind === "Deployment"
      && !objects.some((o) => o.kind === "HorizontalPodAutoscaler" && o.spec.scaleTargetRef.name === workload.metadata.name)) {
    problems.push(`${name(workload)}: no HorizontalPodAutoscaler`);
  }
}
for (const service of objects.filter((o) => o.kind === "Service")) {
  const type = service.spec.type ?? "ClusterIP";
  if (type !== "ClusterIP" && service.metadata.name !== "gateway") {
    problems.push(`${name(service)}: only the gateway may be reachable from outside (type ${type})`);
  }
}

if (objects.length === 0) problems.push("no object on stdin: did the render fail?");
if (problems.length > 0) {
  console.error(problems.map((p) => `  ${p}`).join("\n"));
  console.error(`${problems.length} problem(s) in ${objects.length} objects`);
  process.exit(1);
}
console.log(`${objects.length} objects valid: the Kubernetes schemas, probes, resources, budgets, autoscalers, secrets`);
