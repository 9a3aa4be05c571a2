/*
 * A stand-in libnvidia-ml.so.1 for tests on machines without an NVIDIA GPU.
 *
 * It implements the NVML functions gpupool binds, with the real ABI (struct layouts and return
 * codes as nvml.h declares them), and answers from a text file of key=value lines whose path is
 * compiled in (-DFAKE_NVML_CONFIG="\"/path\""). The file is read again on every call, so a test
 * changes what the "driver" says by rewriting it. Keys (N is a device index):
 *
 *   devices=2                     device count
 *   driver_version=550.54.15      cuda_driver_version=12040
 *   devN.uuid / devN.name / devN.bus_id ("00000000:3B:00.0")
 *   devN.mem_total / devN.mem_used, devN.util_gpu / devN.util_mem, devN.power_mw,
 *   devN.power_limit_mw, devN.temp, devN.cc_major / devN.cc_minor,
 *   devN.ecc_corrected / devN.ecc_uncorrected
 *   devN.processes=PID:BYTES,...  (BYTES -1: not available)
 *   devN.nvlinks=4                links the device has; devN.nvlink.L=BUSID marks link L up and
 *                                 names what is at its other end
 *   devN.error=CODE               every call about the device fails with CODE (15: GPU is lost)
 *   fail.FUNCTION=CODE            FUNCTION fails with CODE (e.g. fail.nvmlInit_v2=9)
 *   event.K=INDEX,TYPE,DATA       the K-th event (K from 1), delivered once by nvmlEventSetWait_v2
 *
 * A measurement whose key is missing answers NVML_ERROR_NOT_SUPPORTED. Built with
 * -DFAKE_NVML_MINIMAL, the optional functions are left out altogether, as in an old driver.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef FAKE_NVML_CONFIG
#error "compile with -DFAKE_NVML_CONFIG='\"/path/to/config\"'"
#endif

typedef int nvmlReturn_t;
typedef struct fake_device { unsigned int index; } *nvmlDevice_t;
typedef struct fake_event_set { int unused; } *nvmlEventSet_t;

enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_TIMEOUT = 10,
  NVML_ERROR_FUNCTION_NOT_FOUND = 13,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999
};

typedef struct { unsigned long long total, free, used; } nvmlMemory_t;
typedef struct { unsigned int gpu, memory; } nvmlUtilization_t;
typedef struct {
  char busIdLegacy[16];
  unsigned int domain, bus, device, pciDeviceId, pciSubSystemId;
  char busId[32];
} nvmlPciInfo_t;
typedef struct {
  unsigned int pid;
  unsigned long long usedGpuMemory;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlProcessInfo_t;
typedef struct {
  nvmlDevice_t device;
  unsigned long long eventType, eventData;
  unsigned int gpuInstanceId, computeInstanceId;
} nvmlEventData_t;

#define MAX_DEVICES 64
static struct fake_device devices[MAX_DEVICES];
static int initialized;

/* Copies the value of a key into value; 0 when the file or the key is missing. */
static int lookup(const char *key, char *value, size_t size) {
  FILE *f = fopen(FAKE_NVML_CONFIG, "r");
  if (f == NULL) return 0;
  char line[1024];
  size_t length = strlen(key);
  int found = 0;
  while (!found && fgets(line, sizeof line, f) != NULL) {
    if (strncmp(line, key, length) == 0 && line[length] == '=') {
      char *v = line + length + 1;
      v[strcspn(v, "\r\n")] = '\0';
      snprintf(value, size, "%s", v);
      found = 1;
    }
  }
  fclose(f);
  return found;
}

static int lookup_number(const char *key, long long *out) {
  char value[64];
  if (!lookup(key, value, sizeof value)) return 0;
  *out = strtoll(value, NULL, 10);
  return 1;
}

static int device_lookup(nvmlDevice_t d, const char *name, char *value, size_t size) {
  char key[128];
  snprintf(key, sizeof key, "dev%u.%s", d->index, name);
  return lookup(key, value, size);
}

static int device_number(nvmlDevice_t d, const char *name, long long *out) {
  char key[128];
  snprintf(key, sizeof key, "dev%u.%s", d->index, name);
  return lookup_number(key, out);
}

/* The failure configured for a function ("fail.FN"), or NVML_SUCCESS. */
static nvmlReturn_t injected(const char *function) {
  char key[160];
  long long code;
  snprintf(key, sizeof key, "fail.%s", function);
  return lookup_number(key, &code) ? (nvmlReturn_t) code : NVML_SUCCESS;
}

/* What every device call checks first: initialized, the device valid and not failing. */
static nvmlReturn_t check(nvmlDevice_t d, const char *function) {
  long long code;
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  if (d == NULL || d < devices || d >= devices + MAX_DEVICES) return NVML_ERROR_INVALID_ARGUMENT;
  if (device_number(d, "error", &code)) return (nvmlReturn_t) code;
  return injected(function);
}

#define CHECK(d) do { nvmlReturn_t r_ = check((d), __func__); if (r_ != NVML_SUCCESS) return r_; } while (0)

static void parse_bus_id(const char *text, nvmlPciInfo_t *pci) {
  memset(pci, 0, sizeof *pci);
  snprintf(pci->busId, sizeof pci->busId, "%.31s", text);
  sscanf(text, "%x:%x:%x", &pci->domain, &pci->bus, &pci->device);
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", pci->domain & 0xFFFF,
           pci->bus, pci->device);
  pci->pciDeviceId = 0x233010DE;
}

nvmlReturn_t nvmlInit_v2(void) {
  nvmlReturn_t r = injected("nvmlInit_v2");
  if (r == NVML_SUCCESS) initialized = 1;
  return r;
}

nvmlReturn_t nvmlShutdown(void) {
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  initialized = 0;
  return NVML_SUCCESS;
}

const char *nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  char value[128];
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  if (!lookup("driver_version", value, sizeof value)) return NVML_ERROR_NOT_SUPPORTED;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  strcpy(version, value);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *count) {
  long long n = 0;
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  lookup_number("devices", &n);
  *count = (unsigned int) (n > MAX_DEVICES ? MAX_DEVICES : n);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  long long n = 0;
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  lookup_number("devices", &n);
  if (index >= n || index >= MAX_DEVICES) return NVML_ERROR_INVALID_ARGUMENT;
  devices[index].index = index;
  *device = &devices[index];
  return NVML_SUCCESS;
}

static nvmlReturn_t device_string(nvmlDevice_t d, const char *name, char *out, unsigned int length) {
  char value[256];
  if (!device_lookup(d, name, value, sizeof value)) return NVML_ERROR_NOT_SUPPORTED;
  if (strlen(value) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  strcpy(out, value);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char *uuid, unsigned int length) {
  CHECK(d);
  return device_string(d, "uuid", uuid, length);
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char *name, unsigned int length) {
  CHECK(d);
  return device_string(d, "name", name, length);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t *memory) {
  long long total, used;
  CHECK(d);
  if (!device_number(d, "mem_total", &total) || !device_number(d, "mem_used", &used)) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  memory->total = total;
  memory->used = used;
  memory->free = total - used;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t *pci) {
  char value[64];
  CHECK(d);
  if (!device_lookup(d, "bus_id", value, sizeof value)) return NVML_ERROR_NOT_SUPPORTED;
  parse_bus_id(value, pci);
  return NVML_SUCCESS;
}

#ifndef FAKE_NVML_MINIMAL

static struct fake_event_set event_set;
static long delivered_events;

static nvmlReturn_t device_uint(nvmlDevice_t d, const char *name, unsigned int *out) {
  long long value;
  if (!device_number(d, name, &value)) return NVML_ERROR_NOT_SUPPORTED;
  *out = (unsigned int) value;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int *version) {
  long long value;
  nvmlReturn_t r;
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  if ((r = injected(__func__)) != NVML_SUCCESS) return r;
  if (!lookup_number("cuda_driver_version", &value)) return NVML_ERROR_NOT_SUPPORTED;
  *version = (int) value;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, nvmlUtilization_t *utilization) {
  CHECK(d);
  nvmlReturn_t r = device_uint(d, "util_gpu", &utilization->gpu);
  return r != NVML_SUCCESS ? r : device_uint(d, "util_mem", &utilization->memory);
}

nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int *milliwatts) {
  CHECK(d);
  return device_uint(d, "power_mw", milliwatts);
}

nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t d, unsigned int *milliwatts) {
  CHECK(d);
  return device_uint(d, "power_limit_mw", milliwatts);
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, int sensor, unsigned int *celsius) {
  CHECK(d);
  if (sensor != 0) return NVML_ERROR_INVALID_ARGUMENT;
  return device_uint(d, "temp", celsius);
}

nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int *major, int *minor) {
  long long a, b;
  CHECK(d);
  if (!device_number(d, "cc_major", &a) || !device_number(d, "cc_minor", &b)) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *major = (int) a;
  *minor = (int) b;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTotalEccErrors(nvmlDevice_t d, int errorType, int counterType,
                                         unsigned long long *count) {
  long long value;
  CHECK(d);
  if (counterType != 0) return NVML_ERROR_NOT_SUPPORTED; /* only volatile counters are faked */
  if (!device_number(d, errorType == 0 ? "ecc_corrected" : "ecc_uncorrected", &value)) {
    return NVML_ERROR_NOT_SUPPORTED;
  }
  *count = (unsigned long long) value;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int *count,
                                                     nvmlProcessInfo_t *infos) {
  char value[1024];
  nvmlProcessInfo_t found[256];
  unsigned int n = 0;
  CHECK(d);
  if (device_lookup(d, "processes", value, sizeof value)) {
    for (char *item = strtok(value, ","); item != NULL && n < 256; item = strtok(NULL, ",")) {
      long long pid = 0, bytes = 0;
      if (sscanf(item, "%lld:%lld", &pid, &bytes) == 2) {
        found[n].pid = (unsigned int) pid;
        found[n].usedGpuMemory = (unsigned long long) bytes;
        found[n].gpuInstanceId = 0xFFFFFFFFu;
        found[n].computeInstanceId = 0xFFFFFFFFu;
        n++;
      }
    }
  }
  if (*count < n) {
    *count = n;
    return NVML_ERROR_INSUFFICIENT_SIZE;
  }
  memcpy(infos, found, n * sizeof *found);
  *count = n;
  return NVML_SUCCESS;
}

/* Links below devN.nvlinks exist; link L is up when devN.nvlink.L names its remote end. */
static nvmlReturn_t nvlink_remote(nvmlDevice_t d, unsigned int link, int *up, char *remote,
                                  size_t size) {
  long long links;
  char name[32];
  if (!device_number(d, "nvlinks", &links)) return NVML_ERROR_NOT_SUPPORTED;
  if (link >= links) return NVML_ERROR_INVALID_ARGUMENT;
  snprintf(name, sizeof name, "nvlink.%u", link);
  *up = device_lookup(d, name, remote, size);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetNvLinkState(nvmlDevice_t d, unsigned int link, int *isActive) {
  char remote[64];
  CHECK(d);
  return nvlink_remote(d, link, isActive, remote, sizeof remote);
}

nvmlReturn_t nvmlDeviceGetNvLinkRemotePciInfo_v2(nvmlDevice_t d, unsigned int link,
                                                 nvmlPciInfo_t *pci) {
  char remote[64];
  int up = 0;
  CHECK(d);
  nvmlReturn_t r = nvlink_remote(d, link, &up, remote, sizeof remote);
  if (r != NVML_SUCCESS) return r;
  if (!up) return NVML_ERROR_NOT_SUPPORTED;
  parse_bus_id(remote, pci);
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  nvmlReturn_t r;
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  if ((r = injected(__func__)) != NVML_SUCCESS) return r;
  *set = &event_set;
  return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t d, unsigned long long types,
                                      nvmlEventSet_t set) {
  CHECK(d);
  return (types == 0 || set != &event_set) ? NVML_ERROR_INVALID_ARGUMENT : NVML_SUCCESS;
}

/* Delivers the next configured event, polling the file until the timeout runs out. */
nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int ms) {
  struct timespec pause = {0, 5 * 1000 * 1000};
  if (!initialized) return NVML_ERROR_UNINITIALIZED;
  if (set != &event_set) return NVML_ERROR_INVALID_ARGUMENT;
  for (unsigned int waited = 0;; waited += 5) {
    char key[64], value[128];
    snprintf(key, sizeof key, "event.%ld", delivered_events + 1);
    if (lookup(key, value, sizeof value)) {
      unsigned int index = 0;
      unsigned long long type = 0, payload = 0;
      sscanf(value, "%u,%llu,%llu", &index, &type, &payload);
      memset(data, 0, sizeof *data);
      devices[index % MAX_DEVICES].index = index % MAX_DEVICES;
      data->device = &devices[index % MAX_DEVICES];
      data->eventType = type;
      data->eventData = payload;
      data->gpuInstanceId = 0xFFFFFFFFu;
      data->computeInstanceId = 0xFFFFFFFFu;
      delivered_events++;
      return NVML_SUCCESS;
    }
    if (waited >= ms) return NVML_ERROR_TIMEOUT;
    nanosleep(&pause, NULL);
  }
}

nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  return set == &event_set ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
}

#endif /* FAKE_NVML_MINIMAL */
