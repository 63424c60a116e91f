/** What the GCP performance baseline job accepts: the config schema and the component read these. */

/** A Kubernetes cron schedule: five fields (minute hour day-of-month month day-of-week). */
export const cronSchedulePattern = /^[\d*,/-]+( [\d*,/A-Za-z-]+){4}$/;

/** A container image reference: [registry[:port]/]path[:tag][@sha256:digest]. */
export const containerImagePattern = /^([a-z0-9.-]+(:[0-9]+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@sha256:[a-f0-9]{64})?$/;

/**
 * PyTorch's own image at the torch and CUDA of the Databricks Runtime ML the A100 clusters run
 * (15.4 LTS ML: torch 2.3.1, CUDA 12.1): the two platforms should differ by their GPUs, not by
 * their software. Keep it in step when the runtime changes; the results record both.
 */
export const defaultBaselineImage = "pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime";
