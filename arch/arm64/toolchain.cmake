# Cross-build for arm64 (aarch64) on a Debian amd64 host; tests run under
# qemu-aarch64 as CMake's crosscompiling emulator (`make test` does this).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

# The arm64 libc the tests load must be the cross one beside the cross
# ld.so that qemu-aarch64 -L /usr/aarch64-linux-gnu runs. Once libc6:arm64
# is installed (multiarch, it comes with libunwind-dev:arm64), the host's
# /etc/ld.so.cache, which that ld.so reads through qemu, names
# /lib/aarch64-linux-gnu/libc.so.6: another glibc build, whose private
# _rtld_global layout differs from the ld.so's (the first pthread_create
# then spins forever in get_cached_stack). A RUNPATH is searched before the
# cache. Harmless on real arm64 hardware, where the directory is absent.
set(CMAKE_BUILD_RPATH /usr/aarch64-linux-gnu/lib)
