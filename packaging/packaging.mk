# Distribution packages, included by the top-level GNUmakefile.
#
# make deb            .debs into build/deb/ (needs dpkg-buildpackage, debhelper)
# make rpm            .rpms into build/rpm/ (needs rpmbuild; RPM_FLAGS=--nodeps
#                     on a system whose libraries are not RPM-installed)
# make package-test   make deb, then run the packaged server from a throwaway
#                     root with each TLS backend (packaging/package-test.sh)
#
# Both build from a copy of the tree (tracked and untracked, not ignored,
# files) in build/: Debian wants debian/ at the top of its source tree, and
# a packaging build with PREFIX=/usr must not rebuild or overwrite the
# objects of the working tree.

PKG_VERSION := $(shell sed -n 's/^#define KEYPORT_VERSION "\(.*\)"/\1/p' src/server.h)
PKG_SRC := build/pkg-src/keyport-$(PKG_VERSION)
RPM_FLAGS ?=

define pkg_copy_tree
	rm -rf build/pkg-src && mkdir -p $(PKG_SRC)
	git ls-files -z --cached --others --exclude-standard | \
		(cd $(CURDIR) && xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh) | \
		tar --null -T - -cf - | tar -xf - -C $(PKG_SRC)
endef

deb:
	@command -v dpkg-buildpackage >/dev/null || { echo "deb: dpkg-buildpackage not installed (apt-get install dpkg-dev debhelper fakeroot)"; exit 1; }
	$(pkg_copy_tree)
	cp -r packaging/debian $(PKG_SRC)/debian
	cd $(PKG_SRC) && dpkg-buildpackage -us -uc -b -j$(or $(PKG_JOBS),2)
	rm -rf build/deb && mkdir -p build/deb && mv build/pkg-src/*.deb build/pkg-src/*.changes build/pkg-src/*.buildinfo build/deb/
	@ls build/deb/*.deb

rpm:
	@command -v rpmbuild >/dev/null || { echo "rpm: rpmbuild not installed"; exit 1; }
	$(pkg_copy_tree)
	mkdir -p build/rpm/SOURCES
	tar -C build/pkg-src -czf build/rpm/SOURCES/keyport-$(PKG_VERSION).tar.gz keyport-$(PKG_VERSION)
	rpmbuild -bb $(RPM_FLAGS) --define '_topdir $(CURDIR)/build/rpm' packaging/rpm/keyport.spec
	@find build/rpm/RPMS -name '*.rpm'

package-test:
	@./packaging/package-test.sh
