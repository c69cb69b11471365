import SpineKit
print("spinecount")
